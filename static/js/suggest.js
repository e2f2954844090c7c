/* Suggest mode: a speaker of a language improves the app's wording where they see it.
 *
 * For users who may suggest for a language (GET /api/v1/translations/me: their spoken languages
 * among the catalogs', for the roles that suggest), a toggle in the header marks every
 * translatable string on the screen (the elements i18n.js renders: data-i18n and its attribute
 * forms). Tapping one opens a sheet with the source text, the current wording and the glossary
 * entry if there is one, and takes a better wording. It is checked here as the server checks it
 * (the placeholders of the original, the glossary's words), then goes through the outbox like a
 * record: kept on the phone first, sent once, also when typed offline.
 */
import { N_, locale, say, t, tIn } from "./i18n.js";
import { request } from "./http.js";
import { submitSuggestion } from "./outbox.js";
import * as session from "./session.js";
import { newUuid } from "./uuid.js";

const RIGHTS_KEY = "fieldapp.suggest";
const MODE_KEY = "fieldapp.suggest.on";
const ATTRS = ["data-i18n", "data-i18n-placeholder", "data-i18n-aria-label", "data-i18n-title"];
const MARKED = ATTRS.map((a) => `[${a}]`).join(",");
// The catalog check's placeholder rule (fieldapp/i18n/checks.py).
const PLACEHOLDER = /%\((\w+)\)[sdif]|%[sdif]|\{\w*\}/g;

let rights = null; // {username, locales, glossary}
let toggle = null;
let sheet = null;
let current = null; // {msgid, code}

function el(tag, className, attrs = {}) {
  const made = Object.assign(document.createElement(tag), attrs);
  if (className) made.className = className;
  return made;
}

function remembered() {
  try {
    const kept = JSON.parse(localStorage.getItem(RIGHTS_KEY) || "null");
    return kept && kept.username === session.username() ? kept : null;
  } catch {
    return null;
  }
}

/** What this user may suggest for: asked of the server when there is a line, else remembered. */
async function loadRights() {
  const s = session.get();
  if (!s?.token) return null;
  try {
    const answer = await request("GET", "/api/v1/translations/me", { timeoutMs: 10000, cache: "no-store" });
    if (answer.ok && answer.data) {
      const kept = { username: session.username(s), locales: answer.data.locales || [], glossary: answer.data.glossary || [] };
      localStorage.setItem(RIGHTS_KEY, JSON.stringify(kept));
      return kept;
    }
    if (answer.status === 401) return null;
  } catch {
    /* offline: what we knew */
  }
  return remembered();
}

/** The language a suggestion is for: the interface's when the user speaks it, else their first. */
function targetCode() {
  return rights.locales.includes(locale()) ? locale() : rights.locales[0];
}

function isOn() {
  return document.documentElement.classList.contains("suggest-mode");
}

function setMode(on) {
  document.documentElement.classList.toggle("suggest-mode", on);
  toggle.setAttribute("aria-pressed", String(on));
  try {
    if (on) sessionStorage.setItem(MODE_KEY, "1");
    else sessionStorage.removeItem(MODE_KEY);
  } catch {
    /* private mode */
  }
}

function msgidOf(node) {
  for (const attr of ATTRS) {
    const id = node.getAttribute(attr);
    if (id) return id;
  }
  return null;
}

// As the server compares them: the names of the named ones, and how many unnamed ones.
function placeholders(text) {
  return [...text.matchAll(PLACEHOLDER)].map((m) => m[1] || "").sort().join(",");
}

function glossaryFor(msgid, code) {
  const text = msgid.toLowerCase();
  return rights.glossary.filter((row) => row.term && row[code] && text.includes(row.term.toLowerCase()));
}

/** The server's rules, here first, so a suggestion kept offline is not refused later. */
function problems(msgid, wording, code) {
  if (!wording.trim()) return [t(N_("Give the translation; it may not be empty."))];
  if (placeholders(wording) !== placeholders(msgid)) {
    const names = (msgid.match(PLACEHOLDER) || []).join(", ");
    return [names ? t(N_("Keep the placeholders of the original exactly: %(placeholders)s."), { placeholders: names })
      : t(N_("The original has no placeholders: leave them out."))];
  }
  const missing = glossaryFor(msgid, code).filter((row) => !wording.toLowerCase().includes(row[code].toLowerCase()));
  if (missing.length) {
    return [t(N_("Write the project word as the glossary does: %(word)s."), { word: missing.map((r) => r[code]).join(", ") })];
  }
  return [];
}

function buildSheet() {
  sheet = el("dialog", "suggest-sheet", { id: "suggest-sheet" });
  sheet.setAttribute("aria-labelledby", "suggest-title");
  const form = el("form", "suggest-form stack", { method: "dialog", noValidate: true });
  const heading = el("h2", "", { id: "suggest-title" });
  say(heading, N_("Suggest a better wording"));
  const facts = el("dl", "suggest-facts");
  const sourceTerm = el("dt");
  say(sourceTerm, N_("Source text"));
  const currentTerm = el("dt");
  say(currentTerm, N_("Current wording"));
  const glossaryTerm = el("dt", "suggest-glossary-term");
  say(glossaryTerm, N_("Glossary"));
  facts.append(sourceTerm, el("dd", "suggest-source", { lang: "en" }), currentTerm, el("dd", "suggest-current"),
    glossaryTerm, el("dd", "suggest-glossary"));
  const label = el("label", "", { htmlFor: "suggest-wording" });
  say(label, N_("Your wording"));
  const wording = el("textarea", "", { id: "suggest-wording", name: "wording", rows: 3, maxLength: 1000 });
  wording.setAttribute("aria-describedby", "suggest-error");
  const commentLabel = el("label", "", { htmlFor: "suggest-comment" });
  say(commentLabel, N_("Why (optional)"));
  const comment = el("input", "", { id: "suggest-comment", name: "comment", maxLength: 300 });
  const error = el("p", "form-error", { id: "suggest-error" });
  error.setAttribute("role", "alert");
  const status = el("p", "suggest-status", { id: "suggest-status" });
  status.setAttribute("role", "status");
  const actions = el("div", "suggest-actions");
  const send = el("button", "btn primary", { type: "submit", id: "suggest-send" });
  say(send, N_("Send suggestion"));
  const cancel = el("button", "btn", { type: "button", id: "suggest-cancel" });
  say(cancel, N_("Close"));
  cancel.addEventListener("click", () => sheet.close());
  actions.append(send, cancel);
  form.append(heading, facts, label, wording, error, commentLabel, comment, actions, status);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    sendSuggestion();
  });
  sheet.append(form);
  document.body.append(sheet);
}

function open(msgid) {
  const code = targetCode();
  current = { msgid, code };
  if (!sheet) buildSheet();
  const currentText = tIn(code, msgid);
  sheet.querySelector(".suggest-source").textContent = msgid;
  const shown = sheet.querySelector(".suggest-current");
  shown.textContent = currentText;
  shown.lang = code;
  const entries = glossaryFor(msgid, code);
  sheet.querySelector(".suggest-glossary").textContent = entries.map((row) => `${row.term} → ${row[code]}`).join("; ");
  sheet.querySelector(".suggest-glossary").hidden = !entries.length;
  sheet.querySelector(".suggest-glossary-term").hidden = !entries.length;
  const wording = sheet.querySelector("#suggest-wording");
  wording.value = currentText;
  wording.lang = code;
  wording.removeAttribute("aria-invalid");
  sheet.querySelector("#suggest-comment").value = "";
  sheet.querySelector("#suggest-error").textContent = "";
  sheet.querySelector("#suggest-status").textContent = "";
  sheet.querySelector("#suggest-send").disabled = false;
  sheet.showModal();
  wording.focus();
}

function showError(messages) {
  const error = sheet.querySelector("#suggest-error");
  error.textContent = messages.join(" ");
  sheet.querySelector("#suggest-wording").setAttribute("aria-invalid", "true");
}

async function sendSuggestion() {
  const { msgid, code } = current;
  const text = sheet.querySelector("#suggest-wording").value.trim();
  const found = problems(msgid, text, code);
  if (found.length) {
    showError(found);
    return;
  }
  const comment = sheet.querySelector("#suggest-comment").value.trim();
  const body = { locale: code, msgid, forms: [text], ...(comment ? { comment } : {}) };
  const send = sheet.querySelector("#suggest-send");
  send.disabled = true;
  const status = sheet.querySelector("#suggest-status");
  const result = await submitSuggestion(newUuid(), body);
  send.disabled = false;
  if (result.status === "needs_attention") {
    const forms = result.errors?.forms || result.errors?.msgid || [];
    showError([].concat(forms).length ? [].concat(forms) : [result.message || t(N_("Some fields need attention."))]);
    return;
  }
  sheet.querySelector("#suggest-error").textContent = "";
  sheet.querySelector("#suggest-wording").removeAttribute("aria-invalid");
  status.dataset.result = result.status;
  say(status, result.status === "sent" ? N_("Thank you: your suggestion is waiting for review.")
    : N_("Kept on this phone: it is sent as soon as there is a connection."));
}

// In suggest mode a tap on a marked string opens the sheet instead of doing what it would do.
function onTap(event) {
  if (!isOn() || !rights) return;
  // The language switch stays a switch: a taalcoach compares languages while suggesting.
  if (!event.target.closest || event.target.closest("a[data-locale], #suggest-sheet, #suggest-toggle")) return;
  const target = event.target.closest(MARKED);
  if (!target) return;
  const msgid = msgidOf(target);
  if (!msgid) return;
  event.preventDefault();
  event.stopPropagation();
  open(msgid);
}

function buildToggle() {
  toggle = el("button", "suggest-toggle", { type: "button", id: "suggest-toggle" });
  toggle.setAttribute("aria-pressed", "false");
  say(toggle, N_("Improve wording"));
  toggle.addEventListener("click", () => setMode(!isOn()));
  const row = document.querySelector(".topbar-row") || document.querySelector("header");
  row.append(toggle);
}

async function start() {
  rights = await loadRights();
  if (!rights?.locales?.length) {
    toggle?.remove();
    toggle = null;
    document.documentElement.classList.remove("suggest-mode");
    return;
  }
  if (!toggle) buildToggle();
  let on = false;
  try {
    on = sessionStorage.getItem(MODE_KEY) === "1";
  } catch {
    /* private mode */
  }
  setMode(on);
}

document.addEventListener("click", onTap, true);
document.addEventListener("fieldapp:session", () => start());

/** Resolves once the toggle is there (or known not to be). */
export const ready = start();
