/* A channel's form: thumbs first, defaults for the common case, the server's checks before
 * sending (form/checks.js), and a send through the outbox. Switching language touches only
 * text, so every typed or tapped value stays where it is.
 */
import { N_, locale, say, targetLocale } from "./i18n.js";
import { loadCodes } from "./codes.js";
import { activeFix, submit } from "./outbox.js";
import * as session from "./session.js";
import { lastConversationLanguage, rememberConversationLanguage } from "./storage.js";
import { cachedStreets, chooseStreet, chosenStreet, refreshStreets } from "./streets.js";
import { cachedInitiatives, refreshInitiatives } from "./initiatives.js";
import { keptMeeting, meetingName } from "./meeting-copy.js";
import { newUuid } from "./uuid.js";
import { setUpCard, cardShownIn, forgetCard } from "./form/card.js";
import { check } from "./form/checks.js";
import { clearErrors, clearSection, showErrors } from "./form/errors.js";
import { checked, localInputValue, prefill, read, write } from "./form/fields.js";
import { showNotesLength } from "./form/notes.js";

const form = document.getElementById("record-form");
const statusEl = document.getElementById("send-status");
const field = (name) => form.elements.namedItem(name);
let codes = null;
let recordId = null;

const definition = () => codes?.forms[form.dataset.channel] || {};
const notesLength = () => showNotesLength(form, codes?.rules.notes);

// --- the street list: kept for offline, preselected from "near me" or the last choice ------------
function fillStreets(streets) {
  const select = field("street_id");
  const chosen = chosenStreet();
  const current = select.value || String(chosen?.id || "");
  while (select.options.length > 1) select.remove(1);
  for (const s of streets) select.add(new Option(s.name, String(s.id)));
  if (chosen && !streets.some((s) => s.id === chosen.id)) select.add(new Option(chosen.name, String(chosen.id)));
  select.value = current;
}

// --- the running initiatives of my organisation: kept for offline like the streets -------------
function fillInitiatives(initiatives) {
  const select = field("initiative");
  if (!select) return;
  const current = select.value;
  while (select.options.length > 1) select.remove(1);
  for (const i of initiatives) select.add(new Option(i.title, String(i.id)));
  // A choice made before the list changed (or a "Fix" draft) stays choosable.
  if (current && !initiatives.some((i) => String(i.id) === current)) select.add(new Option(`#${current}`, current));
  select.value = current;
  document.getElementById("initiative-section").hidden = select.options.length < 2;
}

// --- a new contact -----------------------------------------------------------------------------
function startRecord(keepContext) {
  recordId = newUuid();
  form.dataset.recordId = recordId;
  forgetCard();
  if (keepContext) {
    // The next door in the same street: the street, language and partners stay.
    for (const name of ["house_number", "house_addition", "notes"]) if (field(name)) field(name).value = "";
    form.querySelectorAll('input[name="topics"], input[name="referrals"], input[name="consent"], input[name="heard_via"], input[name="ownership"]')
      .forEach((i) => { i.checked = false; });
    form.querySelectorAll('input[name="measure"]').forEach((i) => {
      i.value = "0";
      markStepper(i);
    });
    form.querySelectorAll('input[name="outcome"]').forEach((i) => { i.checked = i.value === definition().defaults?.outcome; });
    updateConsent();
  }
  if (field("occurred_at")) field("occurred_at").value = localInputValue(new Date());
  clearErrors(form);
  notesLength();
}

// The conversation language starts as the interface's: a volunteer working in Turkish mostly
// talks Turkish at the door. It follows a switch until the volunteer picks one. English is no
// door language here, so an English interface keeps the last language used.
let languageByHand = false;
function preselectLanguage(ui) {
  const code = ui === "en" ? lastConversationLanguage() || ui : ui;
  const radio = form.querySelector(`input[name="language"][value="${code}"]`);
  if (radio) radio.checked = true;
}
for (const type of ["click", "change"]) {
  form.addEventListener(type, (event) => { if (event.target.name === "language") languageByHand = true; });
}
document.addEventListener("fieldapp:locale", (event) => { if (!languageByHand) preselectLanguage(event.detail.locale); });

function applyPreferences(own) {
  // targetLocale, not locale: a page from the worker's cache is switched only once its catalog is here.
  if (!checked(form, "language").length) preselectLanguage(targetLocale());
  form.querySelectorAll('input[name="partners"]').forEach((i) => {
    if (i.value !== own) return;
    i.checked = true;
    i.disabled = true;
    i.closest(".chip").classList.add("own");
  });
}

// --- a sign-up at a meeting: the meeting it names is shown, not chosen here --------------------------
function showMeeting() {
  const section = document.getElementById("meeting-section");
  const id = field("meeting")?.value;
  if (!section) return;
  section.hidden = !id;
  const meeting = id ? keptMeeting(id) : null;
  document.getElementById("meeting-name").textContent = meeting ? meetingName(meeting) : "";
}

// --- a door from the revisit queue: the link's query says what is known about it ----------------
// (street_id, street, house_number, house_addition, language, taalcoach_present). Without a
// query the form opens as it always did.
function doorFromQuery() {
  const q = new URLSearchParams(location.search);
  const values = {};
  const streetId = Number(q.get("street_id"));
  if (Number.isInteger(streetId) && streetId > 0) {
    const select = field("street_id");
    // A street not in the kept list yet still shows its name, not its number.
    if (![...select.options].some((o) => o.value === String(streetId))) select.add(new Option(q.get("street") || String(streetId), String(streetId)));
    values.street_id = streetId;
  }
  if (q.get("house_number")) values.house_number = q.get("house_number");
  if (q.get("house_addition")) values.house_addition = q.get("house_addition");
  const language = q.get("language");
  if (language && form.querySelector(`input[name="language"][value="${CSS.escape(language)}"]`)) {
    values.language = language;
    languageByHand = true; // the door's language, not the interface's
  }
  if (q.has("taalcoach_present")) values.taalcoach_present = q.get("taalcoach_present") === "1";
  if (q.get("meeting") && form.elements.namedItem("meeting")) values.meeting = q.get("meeting");
  return values;
}

// --- steppers -------------------------------------------------------------------------------------
function markStepper(input) {
  input.closest(".stepper").classList.toggle("active", parseInt(input.value, 10) > 0);
}
form.addEventListener("click", (event) => {
  const button = event.target.closest("button.step");
  if (!button) return;
  const input = document.getElementById(button.getAttribute("aria-controls"));
  const max = codes ? codes.rules.quantity.max : 999;
  input.value = String(Math.max(0, Math.min(max, (parseInt(input.value, 10) || 0) + parseInt(button.dataset.step, 10))));
  markStepper(input);
});

// --- reactions to what is typed and tapped --------------------------------------------------------
function updateConsent() {
  const block = document.getElementById("consent-block");
  if (block) block.hidden = checked(form, "referrals").length === 0;
}
form.addEventListener("input", (event) => {
  if (event.target.name === "measure" || event.target.name === "handed") markStepper(event.target);
  clearSection(event.target);
  if (event.target.name === "notes") notesLength();
});
form.addEventListener("change", (event) => {
  clearSection(event.target);
  if (event.target.name === "notes") notesLength();
  if (event.target.name === "referrals") updateConsent();
  const option = event.target.name === "street_id" && event.target.selectedOptions[0];
  if (option?.value) chooseStreet({ id: Number(option.value), name: option.text });
});
document.addEventListener("fieldapp:locale", notesLength);
setUpCard(form);

// --- the payload: what the form holds, with what the channel implies --------------------------------
function build() {
  const payload = read(form, definition().defaults);
  const card = codes?.card;
  if (payload.referrals && cardShownIn() && card) {
    if (card.api_accepts_version.referral) payload.referrals.forEach((r) => { r.consent_text_version = card.version; });
    if (card.api_accepts_version.record) payload.consent_text_version = card.version;
  }
  return payload;
}

// --- sending ----------------------------------------------------------------------------------------
// Kept in the outbox: say why, and what happens next. With a line, the answer may have been
// lost on the way back, so "when there is a connection" would be wrong.
function keptMessage(result) {
  if (!navigator.onLine) return N_("Saved on this phone. It is sent when there is a connection.");
  if (result.retry === "auth") return N_("Saved on this phone. Log in again to send it.");
  if (result.retry === "busy") return N_("The server is busy. Your record is kept on this phone and sent later.");
  return N_("Saved on this phone. Sending is retried automatically.");
}

async function send() {
  const payload = build();
  const errors = codes ? check(payload, codes.rules, { consentAnswered: checked(form, "consent").length > 0 }) : {};
  if (Object.keys(errors).length) {
    showErrors(form, errors);
    say(statusEl, N_("Some fields need attention."));
    return;
  }
  const sentIn = locale();
  const button = document.getElementById("send");
  button.disabled = true;
  say(statusEl, N_("Sending…"));
  let result;
  try {
    result = await submit(recordId, payload);
  } catch {
    say(statusEl, N_("No connection. Nothing is lost: try again."));
    return;
  } finally {
    button.disabled = false;
  }
  if (result.status === "sent" || result.status === "pending") {
    if (payload.language) rememberConversationLanguage(payload.language);
    statusEl.dataset.lastId = recordId;
    say(statusEl, result.status === "sent" ? N_("Sent. Ready for the next door.") : keptMessage(result));
    startRecord(true);
    window.scrollTo(0, 0);
  } else {
    showErrors(form, Object.keys(result.errors || {}).length ? result.errors : { _form: [result.message || ""] }, sentIn);
    say(statusEl, N_("Some fields need attention."));
  }
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  send();
});

// --- start --------------------------------------------------------------------------------------------
const signedIn = session.requireSession();
if (signedIn) {
  fillStreets(cachedStreets());
  startRecord(false);
  if (!activeFix()) prefill(form, doorFromQuery());
  showMeeting();
  document.addEventListener("fieldapp:locale", showMeeting);
  applyPreferences(signedIn.user?.partner);
  loadCodes().then((data) => {
    codes = data;
    notesLength();
    // Opened by "Fix": the refused record's answers, and the server's words beside the fields.
    const draft = activeFix();
    if (draft && draft.payload.channel === form.dataset.channel) {
      write(form, draft.payload);
      showMeeting();
      showErrors(form, draft.errors || {}, locale());
    }
    form.dataset.ready = "true";
  });
  refreshStreets().then(fillStreets);
  fillInitiatives(cachedInitiatives());
  refreshInitiatives().then(fillInitiatives);
}
