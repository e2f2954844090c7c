/* Sign-ups at a meeting: the volunteer picks one of today's or recent meetings (the list is kept
 * on the phone, so the hall's missing signal does not matter) and signs residents up on the
 * `event` channel's record form, which names the meeting: one form, one set of checks, the same
 * outbox and exactly-once record API as every other record.
 */
import { ready } from "./i18n.js";
import { request } from "./http.js";
import * as session from "./session.js";
import { readCopy, refresh, sayCopy } from "./desk/copies.js";
import { MEETINGS_COPY as COPY, meetingName } from "./meeting-copy.js";

const $ = (id) => document.getElementById(id);
const DAYS_BACK = 14;
let copy = null;
let copyState = "loading";

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
    const item = document.createElement("li");
    const link = document.createElement("a");
    link.className = "tile tile-card meeting-choice";
    link.dataset.meeting = m.id;
    link.href = `/field/forms/event?meeting=${encodeURIComponent(m.id)}`;
    link.textContent = meetingName(m);
    item.append(link);
    return item;
  });
  $("meeting-choices").replaceChildren(...choices);
  $("meeting-empty").hidden = !copy || meetings.length > 0;
  document.querySelector("main").dataset.ready = "true";
}

async function fetchMeetings() {
  const result = await refresh(COPY, () => request("GET", meetingsUrl(), { cache: "no-store" }));
  if (result.status === 401 && navigator.onLine) location.replace(session.loginUrl());
  copy = result.copy;
  copyState = result.fresh ? "fresh" : result.status === 0 ? "offline" : "failed";
  render();
}

const signedIn = session.requireSession();
if (signedIn) {
  copy = readCopy(COPY);
  render();
  fetchMeetings();
  document.addEventListener("fieldapp:locale", render);
  window.addEventListener("online", fetchMeetings);
  ready.then(render);
}
