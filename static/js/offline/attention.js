/* The records the server refused, each with its message and the fields it named, and two ways
 * on: Fix (a correction under a new UUID, in the record's form) or Discard (deliberately).
 * A refused step on a referral (contacted, appointment, ...) has no form to fix it in: it is
 * taken again on its card in "My follow-ups", so here it can only be discarded.
 */
import { N_, formatDateTime, locale, msgidFor, t } from "../i18n.js";
import { loadCodes } from "../codes.js";
import { discard, fix, isEvent, isSuggestion, list } from "../outbox.js";
import { STEP_LABELS } from "../desk/labels.js";

function el(tag, className, text) {
  const made = document.createElement(tag);
  if (className) made.className = className;
  if (text !== undefined) made.textContent = text;
  return made;
}

// The server's words arrived in the language of that moment; show them in today's.
function serverWords(text) {
  const msgid = text ? msgidFor(text, locale()) : null;
  return msgid ? t(msgid) : text;
}

function title(payload, channels) {
  const when = payload.occurred_at ? new Date(payload.occurred_at) : null;
  const channel = channels[payload.channel];
  return (channel ? t(channel) : payload.channel || "") +
    (payload.house_number ? ` · ${payload.house_number}${payload.house_addition ? `-${payload.house_addition}` : ""}` : "") +
    (when && !isNaN(when) ? ` · ${formatDateTime(when)}` : "");
}

// A step: what was done, on which referral, in which street, when.
function stepTitle(entry, referrals) {
  const body = entry.payload || {};
  const when = body.at ? new Date(body.at) : null;
  const code = entry.about?.code;
  return [t(STEP_LABELS[body.type] || body.type || ""), code ? t(referrals[code] || code) : null, entry.about?.street,
    when && !isNaN(when) ? formatDateTime(when) : null].filter(Boolean).join(" · ");
}

function item(entry, channels, labels, referrals) {
  const li = el("li", "outbox-entry");
  li.dataset.uuid = entry.uuid;
  const wording = isSuggestion(entry);
  const step = isEvent(entry) || wording; // neither has a form to fix it in
  const heading = wording ? `${entry.payload?.msgid || ""} → ${(entry.payload?.forms || []).join(" / ")}`
    : step ? stepTitle(entry, referrals) : title(entry.payload || {}, channels);
  li.append(el("strong", "outbox-entry__title", heading));
  li.append(el("p", "outbox-entry__message", serverWords(entry.message || entry.last_error || "")));
  if (entry.errors && typeof entry.errors === "object") {
    const errors = el("ul", "outbox-entry__errors");
    for (const [field, messages] of Object.entries(entry.errors)) {
      // The API names fields; the volunteer knows them by the form's headings.
      const words = [].concat(messages).map((m) => (typeof m === "string" ? serverWords(m) : JSON.stringify(m)));
      // A step's fields (type, at) mean nothing to the volunteer: its words alone.
      const name = labels[field] ? t(labels[field]) : step ? null : field;
      errors.append(el("li", null, name ? `${name}: ${words.join(" ")}` : words.join(" ")));
    }
    li.append(errors);
  }
  const discardButton = el("button", "outbox-entry__discard", t(N_("Discard")));
  discardButton.type = "button";
  const question = wording ? N_("Discard this suggestion? It is not on the server and will be gone for good.")
    : step ? N_("Discard this step? It is not on the server and will be gone for good.")
    : N_("Discard this record? It is not on the server and will be gone for good.");
  discardButton.addEventListener("click", () => {
    if (window.confirm(t(question))) discard(entry.uuid);
  });
  if (!step) {
    const fixButton = el("button", "outbox-entry__fix", t(N_("Fix")));
    fixButton.type = "button";
    fixButton.addEventListener("click", () => startFix(entry.uuid));
    li.append(fixButton);
  }
  li.append(discardButton);
  return li;
}

export async function renderAttention(listNode) {
  const [entries, codes] = await Promise.all([list(), loadCodes()]);
  const channels = Object.fromEntries((codes?.channels || []).map((c) => [c.code, c.msgid]));
  const labels = codes?.field_labels || {};
  const referrals = Object.fromEntries((codes?.lists?.referral || []).map((r) => [r.code, r.msgid]));
  if (listNode.hidden) return; // folded meanwhile
  listNode.replaceChildren(...entries.filter((e) => e.status === "needs_attention").map((e) => item(e, channels, labels, referrals)));
}

// The form that opens takes the draft (same content, new UUID) and files its next submit as
// the correction; until then the original stays in the outbox.
async function startFix(uuid) {
  const draft = await fix(uuid);
  location.href = `/field/forms/${encodeURIComponent(draft.payload?.channel || "rally")}?fix=${draft.uuid}`;
}
