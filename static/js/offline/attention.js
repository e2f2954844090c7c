/* The records the server refused, each with its message and the fields it named, and two ways
 * on: Fix (a correction under a new UUID, in the record's form) or Discard (deliberately).
 */
import { N_, formatDateTime, locale, msgidFor, t } from "../i18n.js";
import { loadCodes } from "../codes.js";
import { discard, fix, list } from "../outbox.js";

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

function item(entry, channels, labels) {
  const li = el("li", "outbox-entry");
  li.dataset.uuid = entry.uuid;
  li.append(el("strong", "outbox-entry__title", title(entry.payload || {}, channels)));
  li.append(el("p", "outbox-entry__message", serverWords(entry.message || entry.last_error || "")));
  if (entry.errors && typeof entry.errors === "object") {
    const errors = el("ul", "outbox-entry__errors");
    for (const [field, messages] of Object.entries(entry.errors)) {
      // The API names fields; the volunteer knows them by the form's headings.
      const words = [].concat(messages).map((m) => (typeof m === "string" ? serverWords(m) : JSON.stringify(m)));
      errors.append(el("li", null, `${labels[field] ? t(labels[field]) : field}: ${words.join(" ")}`));
    }
    li.append(errors);
  }
  const fixButton = el("button", "outbox-entry__fix", t(N_("Fix")));
  fixButton.type = "button";
  fixButton.addEventListener("click", () => startFix(entry.uuid));
  const discardButton = el("button", "outbox-entry__discard", t(N_("Discard")));
  discardButton.type = "button";
  discardButton.addEventListener("click", () => {
    if (window.confirm(t(N_("Discard this record? It is not on the server and will be gone for good.")))) discard(entry.uuid);
  });
  li.append(fixButton, discardButton);
  return li;
}

export async function renderAttention(listNode) {
  const [entries, codes] = await Promise.all([list(), loadCodes()]);
  const channels = Object.fromEntries((codes?.channels || []).map((c) => [c.code, c.msgid]));
  const labels = codes?.field_labels || {};
  if (listNode.hidden) return; // folded meanwhile
  listNode.replaceChildren(...entries.filter((e) => e.status === "needs_attention").map((e) => item(e, channels, labels)));
}

// The form that opens takes the draft (same content, new UUID) and files its next submit as
// the correction; until then the original stays in the outbox.
async function startFix(uuid) {
  const draft = await fix(uuid);
  location.href = `/field/forms/${encodeURIComponent(draft.payload?.channel || "rally")}?fix=${draft.uuid}`;
}
