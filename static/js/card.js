/* The stand-alone resident card: choose the resident's language; the interface keeps its own.
 * Until the resident's language is known (a tap here, or the last conversation's language) the
 * card is in the interface's language and follows a switch: the page itself may come from the
 * worker's cache in another language.
 */
import { setScopeLocale, targetLocale } from "./i18n.js";
import { lastConversationLanguage } from "./storage.js";

const card = document.querySelector(".resident-card");
const chips = document.querySelectorAll("[data-card-lang]");

function show(code) {
  chips.forEach((b) => b.setAttribute("aria-pressed", String(b.dataset.cardLang === code)));
  return setScopeLocale(card, code).catch(() => { /* offline and not cached: keep the text */ });
}

const last = lastConversationLanguage();
let residentKnown = !!(last && document.querySelector(`[data-card-lang="${last}"]`));
chips.forEach((button) => button.addEventListener("click", () => {
  residentKnown = true;
  show(button.dataset.cardLang);
}));
document.addEventListener("fieldapp:locale", (event) => { if (!residentKnown) show(event.detail.locale); });
show(residentKnown ? last : targetLocale());
