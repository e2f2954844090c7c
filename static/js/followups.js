/* My follow-ups: the referrals assigned to me, overdue first, and my organisation's ones nobody
 * has taken; each step (contacted, appointment, close, take it) goes through the outbox like a
 * record. The lists are kept on the phone (desk/copies.js) with the time they were fetched.
 */
import { N_, formatDate, formatDateTime, locale, msgidFor, ready, t } from "./i18n.js";
import { request } from "./http.js";
import { discard } from "./outbox.js";
import * as session from "./session.js";
import { readCopy, refresh, sayCopy } from "./desk/copies.js";
import { STEP_LABELS, deskLabels, languageName } from "./desk/labels.js";
import { openSheet, take } from "./desk/sheet.js";
import { dueDate, isOverdue, localSteps, withSteps } from "./desk/steps.js";

const $ = (id) => document.getElementById(id);
const COPY = "followups";
const STEP_BUTTONS = { contacted: N_("Contacted"), scheduled: N_("Appointment"), closed: N_("Close follow-up") };

let me = null;
let myPartner = null;
let role = null;
let labels = null;
let copy = null; // {fetched_at, data: {mine: [cards], unassigned: [cards]}}
let copyState = "loading"; // loading | fresh | offline | failed
let steps = [];

// --- fetching ---------------------------------------------------------------------------------------
async function loadBoth() {
  const [mine, unassigned] = await Promise.all([
    request("GET", "/api/v1/referrals?assignee=me&limit=500", { cache: "no-store" }),
    request("GET", "/api/v1/referrals?assignee=none&limit=500", { cache: "no-store" }),
  ]);
  const ok = mine.ok && unassigned.ok;
  return {
    ok, status: ok ? 200 : (mine.ok ? unassigned.status : mine.status),
    data: ok ? { mine: mine.data.referrals, unassigned: unassigned.data.referrals } : null,
  };
}

// One fetch at a time; one asked for meanwhile follows it (a step sent during the first may
// not be in its answer).
let fetching = null;
let fetchAgain = false;
function fetchList() {
  if (fetching) {
    fetchAgain = true;
    return fetching;
  }
  fetching = refresh(COPY, loadBoth).then((result) => {
    if (result.status === 401 && navigator.onLine) location.replace(session.loginUrl());
    copy = result.copy;
    copyState = result.fresh ? "fresh" : result.status === 0 ? "offline" : "failed";
    render();
  }).finally(() => {
    fetching = null;
    if (fetchAgain) {
      fetchAgain = false;
      fetchList();
    }
  });
  return fetching;
}

// --- one card -----------------------------------------------------------------------------------------
function el(tag, className, text) {
  const made = document.createElement(tag);
  if (className) made.className = className;
  if (text !== undefined) made.textContent = text;
  return made;
}

function address(card) {
  const house = card.house_number ? ` ${card.house_number}${card.house_addition ? `-${card.house_addition}` : ""}` : "";
  return `${card.street || `#${card.street_id}`}${house}`;
}

function button(text, className, onClick) {
  const b = el("button", `btn ${className}`, text);
  b.type = "button";
  b.addEventListener("click", onClick);
  return b;
}

// The buttons of a card are one group, named by what and where: "Contacted" alone says which
// referral to nobody listening.
function actionRow(card) {
  const row = el("div", "desk-card__actions");
  row.setAttribute("role", "group");
  row.setAttribute("aria-labelledby", `desk-what-${card.id} desk-where-${card.id}`);
  return row;
}

function stepButtons(card) {
  const row = actionRow(card);
  for (const [type, msgid] of Object.entries(STEP_BUTTONS)) {
    const b = button(t(msgid), type === "closed" ? "secondary" : "primary", () => openSheet(card, type, { labels, done: afterStep }));
    b.dataset.step = type;
    row.append(b);
  }
  return row;
}

function takeButton(card) {
  const row = actionRow(card);
  const b = button(t(N_("Take it")), "primary", () => {
    b.disabled = true; // one tap, one step
    take(card, { done: afterStep }).catch(() => { b.disabled = false; });
  });
  b.dataset.step = "assigned";
  row.append(b);
  return row;
}

// The server's words arrived in the language of that moment; show them in today's.
function serverWords(text) {
  const msgid = text ? msgidFor(text, locale()) : null;
  return msgid ? t(msgid) : text;
}

function flatten(value) {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(flatten);
  return value && typeof value === "object" ? Object.values(value).flatMap(flatten) : [];
}

function attentionItem(entry) {
  const box = el("div", "desk-card__attention");
  box.dataset.uuid = entry.uuid;
  const heading = t(N_("Needs attention"));
  box.append(el("strong", null, `${heading}: ${t(STEP_LABELS[entry.payload?.type] || "")}`));
  // The fields' complaints say more than the 422's "Some fields need attention."
  const said = flatten(entry.errors);
  const words = (said.length ? said : [entry.message]).filter(Boolean).map(serverWords);
  words.forEach((text) => box.append(el("p", null, text)));
  box.append(button(t(N_("Discard")), "secondary small-button", () => {
    if (window.confirm(t(N_("Discard this step? It is not on the server and will be gone for good.")))) discard(entry.uuid);
  }));
  return box;
}

function cardItem(card, section) {
  const li = el("li", "desk-card");
  li.dataset.referral = String(card.id);
  li.dataset.status = card.status;
  const overdue = isOverdue(card);
  li.dataset.overdue = String(overdue);

  const head = el("div", "desk-card__head");
  const what = el("strong", "desk-card__what", t(labels.referral[card.code] || card.code));
  what.id = `desk-what-${card.id}`;
  head.append(what);
  head.append(el("span", `badge badge-${card.status}`, t(labels.status[card.status] || card.status)));
  if (overdue) head.append(el("span", "badge badge-overdue", t(N_("Overdue"))));
  li.append(head);

  const where = el("p", "desk-card__where", address(card));
  where.id = `desk-where-${card.id}`;
  li.append(where);
  const facts = el("p", "desk-card__facts");
  const language = el("span", "desk-card__language", languageName(card.language, labels));
  if (card.language) language.lang = card.language;
  facts.append(language);
  const due = dueDate(card);
  if (due) facts.append(document.createTextNode(" · "), el("span", "desk-card__due", t(N_("Due %(date)s"), { date: formatDate(due) })));
  li.append(facts);

  if (card.appointment && card.status !== "closed") {
    const when = new Date(card.appointment.appointment_at);
    const line = el("p", "desk-card__appointment");
    const place = labels.place[card.appointment.place];
    line.append(el("span", null, t(N_("Appointment: %(when)s"), { when: formatDateTime(when) }) + (place ? ` · ${t(place)}` : "")));
    const link = el("a", "desk-card__card-link", t(N_("Appointment card")));
    link.href = `/field/appointment?referral=${encodeURIComponent(card.id)}`;
    line.append(" ", link);
    li.append(line);
  }
  if (card.waiting.length) {
    const names = card.waiting.map((s) => t(STEP_LABELS[s.payload?.type] || "")).join(", ");
    li.append(el("p", "desk-card__waiting", t(N_("Not sent yet: %(steps)s"), { steps: names })));
  }
  card.attention.forEach((entry) => li.append(attentionItem(entry)));

  if (card.status !== "closed") {
    if (section === "unassigned") {
      if (card.partner && card.partner === myPartner) li.append(takeButton(card));
      else if (role === "coordinator" || role === "admin") li.append(stepButtons(card));
    } else {
      li.append(stepButtons(card));
    }
  }
  return li;
}

// --- the lists ----------------------------------------------------------------------------------------
function order(a, b) {
  const overdue = Number(isOverdue(b)) - Number(isOverdue(a));
  if (overdue) return overdue;
  const da = a.due_date || "9999", db = b.due_date || "9999";
  return da < db ? -1 : da > db ? 1 : a.id - b.id;
}

function render() {
  if (!labels || !me) return;
  sayCopy($("desk-copy"), copy, copyState);
  const seen = new Map();
  for (const card of [...(copy?.data?.mine || []), ...(copy?.data?.unassigned || [])]) seen.set(card.id, card);
  const cards = [...seen.values()].map((card) => withSteps(card, steps, copy?.fetched_at));
  const open = cards.filter((c) => c.status !== "closed").sort(order);
  const mine = open.filter((c) => c.assignee === me);
  const unassigned = open.filter((c) => !c.assignee);
  const closed = cards.filter((c) => c.status === "closed" && c.assignee === me);

  $("mine").replaceChildren(...mine.map((c) => cardItem(c, "mine")));
  $("mine-empty").hidden = !!mine.length || !copy;
  $("unassigned").replaceChildren(...unassigned.map((c) => cardItem(c, "unassigned")));
  $("unassigned-empty").hidden = !!unassigned.length || !copy;
  $("closed-section").hidden = !closed.length;
  // A step refused because the referral closed meanwhile must not hide in a folded list.
  if (closed.some((c) => c.attention.length)) $("closed-section").open = true;
  const closedWord = t(N_("Closed"));
  $("closed-heading").textContent = `${closedWord} (${closed.length})`;
  $("closed").replaceChildren(...closed.map((c) => cardItem(c, "closed")));
  document.querySelector("main").dataset.ready = "true";
}

// --- steps taken here ---------------------------------------------------------------------------------
let sentSeen = 0;
let waitingSeen = 0;
let stepsSeen = null;
async function readSteps() {
  steps = await localSteps(me);
  // A step just reached the server (here or in another tab), or was refused: the list has
  // changed (a status, a house number, a referral someone else took).
  const sent = Math.max(0, ...steps.filter((s) => s.status === "sent").map((s) => s.sent_at || 0));
  const waiting = steps.filter((s) => s.status === "pending" || s.status === "sending").length;
  const newlySent = (sent > sentSeen && sent > Date.parse(copy?.fetched_at || 0)) || waiting < waitingSeen;
  sentSeen = Math.max(sentSeen, sent);
  waitingSeen = waiting;
  // The outbox speaks up often while it sends; redraw only when a step of ours moved.
  const seen = steps.map((s) => `${s.uuid}:${s.status}`).join();
  if (seen !== stepsSeen) {
    stepsSeen = seen;
    render();
  }
  if (newlySent && navigator.onLine) fetchList();
}

function afterStep() {
  readSteps();
}

// --- start --------------------------------------------------------------------------------------------
const signedIn = session.requireSession();
if (signedIn) {
  me = session.username(signedIn);
  myPartner = signedIn.user?.partner || null;
  role = signedIn.user?.role || null;
  copy = readCopy(COPY);
  deskLabels().then(async (found) => {
    labels = found;
    await readSteps();
    fetchList();
  });
  document.addEventListener("fieldapp:outbox", readSteps);
  document.addEventListener("fieldapp:locale", render);
  window.addEventListener("online", fetchList);
  window.addEventListener("offline", () => { copyState = "offline"; render(); });
  ready.then(render);
}
