/* The sync state, said once, in the bar under the header: "n not sent yet" / "all sent" /
 * "n need attention", Send now (only with a line, and not right after a try got no answer),
 * Log in, the list of refused records, and "a new version is ready".
 */
import { N_, plural, ready, t } from "../i18n.js";
import { counts, flush } from "../outbox.js";
import { renderAttention } from "./attention.js";
import { applyUpdate, onUpdateReady, updateReady } from "./worker.js";

let detail = { pending: 0, sending: 0, needs_attention: 0, sent: 0, steps_waiting: 0, steps_attention: 0 };
let expanded = false;
let node = null;

function el(tag, className, attrs = {}) {
  const made = Object.assign(document.createElement(tag), attrs);
  if (className) made.className = className;
  return made;
}

const part = (name) => node.querySelector(`.outbox-status__${name}`);

function build() {
  node = document.getElementById("outbox-status");
  if (!node) {
    node = el("div", "", { id: "outbox-status" });
    const header = document.querySelector("header");
    if (header) header.after(node);
    else document.body.prepend(node);
  }
  node.classList.add("outbox-status");
  const text = el("span", "outbox-status__text");
  text.setAttribute("role", "status");
  text.setAttribute("aria-live", "polite");
  const send = el("button", "outbox-status__send", { type: "button" });
  send.addEventListener("click", () => {
    send.disabled = true;
    flush().finally(() => { send.disabled = false; });
  });
  const toggle = el("button", "outbox-status__toggle", { type: "button" });
  toggle.setAttribute("aria-expanded", "false");
  toggle.setAttribute("aria-controls", "outbox-attention");
  toggle.addEventListener("click", () => {
    expanded = !expanded;
    render();
  });
  const line = el("div", "outbox-status__line");
  line.append(text, el("a", "outbox-status__login", { href: "/field/login" }), send, toggle);
  const updateButton = el("button", "outbox-status__update-button", { type: "button" });
  updateButton.addEventListener("click", applyUpdate);
  const update = el("div", "outbox-status__update");
  update.append(el("span", "outbox-status__update-text"), updateButton);
  node.append(line, update, el("ul", "outbox-status__list", { id: "outbox-attention" }));
}

function render() {
  if (!node) build();
  const notSent = detail.pending + detail.sending;
  const attention = detail.needs_attention;
  const offline = !navigator.onLine;
  // No line, or the last try got no answer: "Send now" could only fail. The outbox retries by
  // itself (back-off timer, the "online" event, reopening the app).
  const unanswered = !offline && detail.last_error === "network";
  // The server answered that it is busy (its database down or restarting) and said when to
  // come back: the outbox waits that long by itself; "Send now" would only be refused again.
  const busy = !offline && detail.last_error === "busy" && detail.not_before > Date.now();
  const parts = [];
  // Records and follow-up steps are said apart: a step is no record of a door.
  const steps = { waiting: detail.steps_waiting || 0, attention: detail.steps_attention || 0 };
  const records = { waiting: notSent - steps.waiting, attention: attention - steps.attention };
  if (records.attention) parts.push(plural(N_("1 record needs attention"), N_("%(count)d records need attention"), records.attention));
  if (steps.attention) parts.push(plural(N_("1 follow-up step needs attention"), N_("%(count)d follow-up steps need attention"), steps.attention));
  if (records.waiting) parts.push(plural(N_("1 record not sent yet"), N_("%(count)d records not sent yet"), records.waiting));
  if (steps.waiting) parts.push(plural(N_("1 follow-up step not sent yet"), N_("%(count)d follow-up steps not sent yet"), steps.waiting));
  if (!parts.length) parts.push(t(N_("All sent")));
  if (notSent && detail.flushing) parts.push(t(N_("Sending…")));
  if (notSent && offline) parts.push(t(N_("Offline: records are kept on this phone")));
  else if (notSent && detail.last_error === "busy" && !detail.flushing) parts.push(t(N_("The server is busy. Your records are kept on this phone and sent later.")));
  else if (notSent && unanswered && !detail.flushing) parts.push(t(N_("Sending is retried automatically.")));
  if (notSent && detail.login_required) parts.push(t(N_("Log in again to send your records")));
  node.dataset.state = attention ? "attention" : notSent ? "pending" : "ok";
  node.dataset.pending = String(notSent);
  node.dataset.attention = String(attention);
  part("text").textContent = parts.join(" · ");

  Object.assign(part("login"), { textContent: t(N_("Log in")), hidden: !(notSent && detail.login_required) });
  Object.assign(part("send"), { textContent: t(N_("Send now")), hidden: !notSent || offline || unanswered || busy });
  const toggle = part("toggle");
  Object.assign(toggle, { textContent: expanded ? t(N_("Hide")) : t(N_("Show")), hidden: !attention });
  toggle.setAttribute("aria-expanded", String(expanded && !!attention));

  part("update").hidden = !updateReady();
  part("update-text").textContent = t(N_("A new version of the app is ready."));
  part("update-button").textContent = t(N_("Update"));

  const list = part("list");
  list.hidden = !(expanded && attention);
  if (list.hidden) list.textContent = "";
  else renderAttention(list);
}

/** Shows the bar and keeps it current. */
export async function startStatusBar() {
  document.addEventListener("fieldapp:outbox", (event) => {
    detail = event.detail;
    render();
  });
  document.addEventListener("fieldapp:locale", render);
  window.addEventListener("online", render);
  window.addEventListener("offline", render);
  onUpdateReady(render);
  render();
  ready.then(render); // the first words may come before the catalog
  detail = { ...detail, ...(await counts()) };
  render();
}
