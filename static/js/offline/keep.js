/* What keeps the app usable offline beyond the worker's shell: storage the browser will not
 * evict, and a fresh street list passed through the worker (which answers "near me" offline).
 */
import * as session from "../session.js";
import { refreshStreets } from "../streets.js";
import { controlled } from "./worker.js";

const STREETS_EVERY_MS = 10 * 60000;

export async function askPersistence() {
  if (!navigator.storage?.persist) return false;
  try {
    return (await navigator.storage.persisted()) || (await navigator.storage.persist());
  } catch {
    return false;
  }
}

/** The list must pass through the worker to be kept: on a first visit, once it controls the
 * page; later at most every few minutes (the screens also refresh it as they open). */
export async function keepStreets(registration) {
  const firstVisit = !!registration && !navigator.serviceWorker.controller;
  if (firstVisit) await controlled();
  if (session.get() && navigator.onLine) await refreshStreets({ olderThanMs: firstVisit ? 0 : STREETS_EVERY_MS });
}

// A new login: fetch the list for this volunteer now.
document.addEventListener("fieldapp:session", (event) => {
  if (event.detail?.session) refreshStreets();
});
