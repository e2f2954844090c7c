/* The sheet for a step on a referral: contacted (a short note), an appointment (day, time,
 * place, another organisation going along) or closing it (how it ended). Its UUID is made when
 * the sheet opens, so Save tapped twice, or again after a lost answer, files the step once.
 */
import { N_, locale, say, unsay } from "../i18n.js";
import { submitEvent } from "../outbox.js";
import * as session from "../session.js";
import { newUuid } from "../uuid.js";
import { charCount } from "../form/checks.js";
import { clearErrors, clearSection, showErrors } from "../form/errors.js";
import { checked, isoWithOffset } from "../form/fields.js";

const TITLES = {
  contacted: N_("I contacted the resident"),
  scheduled: N_("Make an appointment"),
  closed: N_("Close this follow-up"),
};
const NOTE_MAX = 500; // the server's limit (EventIn.note)

const dialog = document.getElementById("action");
const form = document.getElementById("action-form");
const statusEl = document.getElementById("action-status");
let open = null; // {card, type, uuid, about, done}

/** Opens the sheet for `type` on `card`; `done(result)` follows a kept or sent step. */
export function openSheet(card, type, { labels, done }) {
  const uuid = newUuid();
  open = { card, type, uuid, done, about: { code: card.code, street: card.street } };
  dialog.dataset.uuid = uuid;
  dialog.dataset.referral = String(card.id);
  dialog.dataset.type = type;
  form.reset();
  clearErrors(form);
  unsay(statusEl);
  say(document.getElementById("action-title"), TITLES[type]);
  const about = document.getElementById("action-about");
  const what = document.createElement("span");
  say(what, labels.referral[card.code] || card.code);
  about.replaceChildren(what, document.createTextNode(card.street ? ` · ${card.street}` : ""));
  form.querySelectorAll("[data-for]").forEach((section) => {
    section.hidden = !section.dataset.for.split(" ").includes(type);
  });
  // The routed organisation comes anyway: only another one can come along.
  for (const option of form.elements.namedItem("with_partner").options) {
    option.hidden = option.disabled = !!option.value && option.value === card.partner;
  }
  document.getElementById("action-save").disabled = false;
  dialog.showModal();
}

function close() {
  open = null;
  dialog.close();
}

function value(name) {
  return form.elements.namedItem(name)?.value.trim() || "";
}

function build(type) {
  const body = { type, at: isoWithOffset(new Date()) };
  const errors = {};
  const note = value("note");
  if (type === "scheduled") {
    const day = value("appointment_day");
    const time = value("appointment_time");
    if (!day || !time) errors.appointment_at = [{ msgid: N_("Choose a day and a time.") }];
    else body.appointment_at = isoWithOffset(new Date(`${day}T${time}`));
    const place = checked(form, "place")[0];
    if (!place) errors.place = [{ msgid: N_("Choose a place.") }];
    else body.place = place;
    if (value("with_partner")) body.with_partner = value("with_partner");
  }
  if (type === "closed") {
    const outcome = checked(form, "outcome")[0];
    if (!outcome) errors.outcome = [{ msgid: N_("Choose how it ended.") }];
    else body.outcome = outcome;
  }
  if ((type === "contacted" || type === "scheduled") && note) {
    if (charCount(note) > NOTE_MAX) errors.note = [{ msgid: N_("At most 500 characters.") }];
    body.note = note;
  }
  return { body, errors };
}

async function save() {
  if (!open) return;
  const current = open;
  const { body, errors } = build(current.type);
  if (Object.keys(errors).length) {
    showErrors(form, errors);
    say(statusEl, N_("Some fields need attention."));
    return;
  }
  const button = document.getElementById("action-save");
  button.disabled = true;
  const sentIn = locale();
  let result;
  try {
    result = await submitEvent(current.card.id, current.uuid, body, current.about);
  } catch {
    say(statusEl, N_("No connection. Nothing is lost: try again."));
    button.disabled = false;
    return;
  }
  if (result.status === "needs_attention") {
    // Refused (a closed referral, say): the words beside the fields; a corrected Save files a new step.
    showErrors(form, Object.keys(result.errors || {}).length ? result.errors : { _form: [result.message || ""] }, sentIn);
    say(statusEl, N_("Some fields need attention."));
    button.disabled = false;
    return;
  }
  close();
  current.done(result);
}

/** Taking an unassigned referral: one tap, one step, no sheet. */
export function take(card, { done }) {
  const about = { code: card.code, street: card.street };
  const body = { type: "assigned", at: isoWithOffset(new Date()), assignee: session.username() };
  return submitEvent(card.id, newUuid(), body, about).then(done);
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  save();
});
form.addEventListener("input", (event) => clearSection(event.target));
form.addEventListener("change", (event) => clearSection(event.target));
document.getElementById("action-cancel").addEventListener("click", close);
dialog.addEventListener("close", () => { open = null; });
