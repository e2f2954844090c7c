/* Sign-ups at a meeting: the volunteer picks one of today's or recent meetings (the list is kept
 * on the phone, so the hall's missing signal does not matter) and records each resident who
 * wants a follow-up as an `event` record on their street, linked to the meeting. Each goes
 * through the outbox and the record API like every other record: saved on the phone first,
 * sent exactly once.
 */
import { N_, formatDateTime, ready, say, t } from "./i18n.js";
import { request } from "./http.js";
import { submit } from "./outbox.js";
import * as session from "./session.js";
import { cachedStreets, refreshStreets } from "./streets.js";
import { newUuid } from "./uuid.js";
import { readCopy, refresh, sayCopy } from "./desk/copies.js";

const $ = (id) => document.getElementById(id);
const COPY = "meetings";
const DAYS_BACK = 14;
const form = $("signup-form");
let copy = null;
let copyState = "loading";
let chosen = null;
let recordId = newUuid();

const isoDay = (date) => date.toISOString().slice(0, 10);

function meetingsUrl() {
  const today = new Date();
  const from = new Date(today.getTime() - DAYS_BACK * 86400000);
  const to = new Date(today.getTime() + 86400000);
  return `/api/v1/meetings?from=${isoDay(from)}&to=${isoDay(to)}`;
}

function render() {
  sayCopy($("meeting-copy"), copy, copyState);
  const meetings = [...(copy?.data?.meetings || [])].reverse(); // latest first
  const choices = meetings.map((m) => {
    const label = document.createElement("label");
    label.className = "chip meeting-choice";
    const input = document.createElement("input");
    input.type = "radio";
    input.name = "meeting";
    input.value = m.id;
    input.checked = chosen === m.id;
    const text = document.createElement("span");
    text.textContent = `${formatDateTime(new Date(m.starts_at))} · ${m.place}`;
    label.append(input, text);
    return label;
  });
  $("meeting-choices").replaceChildren(...choices);
  $("meeting-empty").hidden = !copy || meetings.length > 0;
  form.hidden = !chosen;
  document.querySelector("main").dataset.ready = "true";
}

function fillStreets(streets) {
  const select = $("signup-street");
  const current = select.value;
  while (select.options.length > 1) select.remove(1);
  for (const s of streets) select.add(new Option(s.name, String(s.id)));
  select.value = current;
}

async function fetchMeetings() {
  const result = await refresh(COPY, () => request("GET", meetingsUrl(), { cache: "no-store" }));
  if (result.status === 401 && navigator.onLine) location.replace(session.loginUrl());
  copy = result.copy;
  copyState = result.fresh ? "fresh" : result.status === 0 ? "offline" : "failed";
  render();
}

const values = (name) => [...form.querySelectorAll(`input[name="${name}"]:checked`)].map((i) => i.value);

function payload() {
  const house = form.elements.namedItem("house_number").value.trim();
  const consent = values("consent")[0];
  return {
    channel: "event",
    meeting: chosen,
    street_id: Number($("signup-street").value) || null,
    house_number: house ? Number(house) : null,
    occurred_at: new Date().toISOString(),
    language: values("language")[0] || "",
    topics: values("topics"),
    referrals: values("referrals").map((code) => ({ code, consent: consent === "yes" })),
  };
}

function problem(body) {
  if (!body.street_id) return N_("Choose a street.");
  if (body.house_number !== null && !(Number.isInteger(body.house_number) && body.house_number > 0)) return N_("Give a house number from 1 to 99999.");
  if (!body.language) return N_("Choose the conversation language.");
  if (body.referrals.length && !values("consent").length) return N_("Ask whether the resident wants this follow-up.");
  return null;
}

async function send(event) {
  event.preventDefault();
  const body = payload();
  const wrong = problem(body);
  $("signup-error").hidden = !wrong;
  if (wrong) {
    say($("signup-error"), wrong);
    return;
  }
  $("signup-send").disabled = true;
  let result;
  try {
    result = await submit(recordId, body);
  } finally {
    $("signup-send").disabled = false;
  }
  if (result.status === "sent" || result.status === "pending") {
    $("signup-status").dataset.lastId = recordId;
    say($("signup-status"), result.status === "sent" ? N_("Sent. Ready for the next sign-up.") : N_("Saved on this phone. It is sent when there is a connection."));
    recordId = newUuid();
    form.elements.namedItem("house_number").value = "";
    form.querySelectorAll('input[name="topics"], input[name="referrals"], input[name="consent"]').forEach((i) => { i.checked = false; });
    $("signup-consent").hidden = true;
  } else {
    const messages = Object.values(result.errors || {}).flat();
    $("signup-error").hidden = false;
    $("signup-error").textContent = messages.join(" ") || result.message || t(N_("Some fields need attention."));
  }
}

const signedIn = session.requireSession();
if (signedIn) {
  copy = readCopy(COPY);
  render();
  fetchMeetings();
  fillStreets(cachedStreets());
  refreshStreets().then(fillStreets);
  $("meeting-choices").addEventListener("change", (event) => {
    if (event.target.name !== "meeting") return;
    chosen = event.target.value;
    form.hidden = false;
  });
  form.addEventListener("change", (event) => {
    if (event.target.name === "referrals") $("signup-consent").hidden = values("referrals").length === 0;
  });
  form.addEventListener("submit", send);
  document.addEventListener("fieldapp:locale", render);
  window.addEventListener("online", fetchMeetings);
  ready.then(render);
}
