/* Complaints beside the fields they are about, in the interface language: the phone's own
 * checks (msgids) and the server's (texts it translated, turned back into msgids so a
 * language switch renders them too).
 */
import { msgidFor, say } from "../i18n.js";

export function clearErrors(form) {
  form.querySelectorAll("[data-error-for]").forEach((slot) => { slot.textContent = ""; });
  form.querySelectorAll("[aria-invalid]").forEach((el) => el.removeAttribute("aria-invalid"));
}

/** Touching a field clears its section's old complaint; the next send checks everything again. */
export function clearSection(el) {
  const section = el?.closest("[data-section]");
  if (!section) return;
  section.querySelectorAll("[data-error-for]").forEach((slot) => { slot.textContent = ""; });
  section.querySelectorAll("[aria-invalid]").forEach((x) => x.removeAttribute("aria-invalid"));
}

function flatten(value, out = []) {
  if (typeof value === "string") out.push(value);
  else if (Array.isArray(value)) value.forEach((v) => flatten(v, out));
  else if (value && typeof value === "object") Object.values(value).forEach((v) => flatten(v, out));
  return out;
}

/** errors: {field: [{msgid, params}] or the server's texts, which arrived in `sentIn`}. */
export function showErrors(form, errors, sentIn) {
  clearErrors(form);
  for (const [key, value] of Object.entries(errors)) {
    const slot = form.querySelector(`[data-error-for="${key}"]`) || form.querySelector('[data-error-for="_form"]');
    const items = Array.isArray(value) && value[0]?.msgid ? value : flatten(value);
    for (const item of items) {
      const p = document.createElement("p");
      const msgid = typeof item === "object" ? item.msgid : msgidFor(item, sentIn);
      if (msgid) say(p, msgid, item.params);
      else p.textContent = item; // not in our catalogs: shown as the server said it
      slot.appendChild(p);
    }
    form.elements.namedItem(key)?.setAttribute?.("aria-invalid", "true");
  }
  // The first complaint on the screen, wherever it was found.
  const first = form.querySelector("[data-error-for]:not(:empty)");
  (first?.closest("[data-section]") || first)?.scrollIntoView({ block: "center" });
}
