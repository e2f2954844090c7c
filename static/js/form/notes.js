/* The notes' length while typing, against the server's limit, counted as the server counts. */
import { locale, say, unsay } from "../i18n.js";
import { charCount } from "./checks.js";

const counter = document.getElementById("notes-count");

export function showNotesLength(form, rule) {
  const notes = form.elements.namedItem("notes");
  if (!notes || !counter || !rule) return;
  const n = charCount(notes.value);
  const number = new Intl.NumberFormat(locale());
  counter.querySelector(".counter-figures").textContent = `${number.format(n)} / ${number.format(rule.max)}`;
  const over = counter.querySelector(".counter-over");
  if (n > rule.max) {
    say(over, rule.message);
    notes.setAttribute("aria-invalid", "true");
  } else {
    unsay(over);
  }
  counter.classList.toggle("over", n > rule.max);
}
