/* The resident card over the form: in the conversation language (one of the four), another
 * with one tap on the card itself; its answer fills the consent question.
 */
import { locale, setScopeLocale } from "../i18n.js";
import { checked } from "./fields.js";
import { clearSection } from "./errors.js";

const CARD_LOCALES = ["nl", "tr", "ti", "so"];
const overlay = document.getElementById("card-overlay");
const card = overlay.querySelector(".resident-card");
let shownIn = null;

/** The language the card was shown in for this record, or null: the consent's text version goes with it. */
export const cardShownIn = () => shownIn;
export const forgetCard = () => { shownIn = null; };

function markLanguage(code) {
  overlay.querySelectorAll("[data-card-lang]").forEach((b) => b.setAttribute("aria-pressed", String(b.dataset.cardLang === code)));
}

function open(form) {
  const spoken = checked(form, "language")[0];
  const code = CARD_LOCALES.includes(spoken) ? spoken : locale();
  setScopeLocale(card, code).catch(() => { /* catalog missing: the card keeps its text */ });
  markLanguage(code);
  overlay.hidden = false;
  shownIn = code;
  document.getElementById("close-card").focus();
}

function close() {
  overlay.hidden = true;
  document.getElementById("show-card")?.focus();
}

export function setUpCard(form) {
  document.getElementById("show-card")?.addEventListener("click", () => open(form));
  document.getElementById("close-card").addEventListener("click", close);
  overlay.addEventListener("keydown", (event) => { if (event.key === "Escape") close(); });
  overlay.querySelectorAll("[data-card-answer]").forEach((button) => button.addEventListener("click", () => {
    const radio = form.querySelector(`input[name="consent"][value="${button.dataset.cardAnswer}"]`);
    if (radio) {
      radio.checked = true;
      clearSection(radio);
    }
    close();
  }));
  // The resident may read another of the four languages better.
  overlay.querySelectorAll("[data-card-lang]").forEach((button) => button.addEventListener("click", async () => {
    const code = button.dataset.cardLang;
    await setScopeLocale(card, code);
    shownIn = code;
    markLanguage(code);
  }));
}
