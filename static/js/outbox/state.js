/* What the outbox knows beyond its entries, and how it tells the page: the document event
 * "fieldapp:outbox" with the counts per status and this state (the status bar reads it).
 */
import { countEntries } from "./entries.js";

export const state = {
  loginRequired: false, // the last try was refused for want of a valid login
  online: navigator.onLine,
  flushing: false,
  failures: 0, // tries in a row that got no useful answer: the back-off grows with them
  lastError: null, // why the last try failed: "network", "auth", "server" or "busy" (a 5xx with Retry-After)
  notBefore: 0, // Date.now() before which nothing is sent: the server's Retry-After
};

export let lastCounts = { pending: 0, sending: 0, needs_attention: 0, sent: 0, steps_waiting: 0, steps_attention: 0 };

export async function announce() {
  lastCounts = await countEntries();
  const detail = {
    ...lastCounts, login_required: state.loginRequired, online: state.online,
    flushing: state.flushing, last_error: state.lastError, not_before: state.notBefore,
  };
  document.dispatchEvent(new CustomEvent("fieldapp:outbox", { detail }));
  return lastCounts;
}
