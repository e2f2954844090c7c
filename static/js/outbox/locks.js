/* Locks across the tabs of this phone, so two open tabs never send the same entry at once:
 * Web Locks, or a lease row in IndexedDB where navigator.locks is missing (Safari before 15.4).
 * A page that goes away while it holds a lease leaves it until LEASE_MS has passed (a write
 * in pagehide is dropped with the page), so take them for work only, never while idle.
 */
import { ask, transaction } from "./db.js";

const LEASE_MS = 60000;
const TAB_ID = Math.random().toString(36).slice(2) + Date.now().toString(36);
export const hasWebLocks = () => !!navigator.locks?.request;

/** Runs fn() while holding `name`; resolves to {ran: true, value}, or to {ran: false} without
 * running it when another tab holds the lock (we never wait: the holder does the work). */
export async function withLock(name, fn) {
  if (hasWebLocks()) {
    return navigator.locks.request(name, { ifAvailable: true }, async (lock) =>
      (lock ? { ran: true, value: await fn() } : { ran: false }));
  }
  if (!(await claimLease(name))) return { ran: false };
  try {
    return { ran: true, value: await fn() };
  } finally {
    await releaseLease(name);
  }
}

/** Takes the lease, or renews it when this tab holds it; false when another tab does. */
export function claimLease(name) {
  return transaction(["leases"], "readwrite", async (tx) => {
    const store = tx.objectStore("leases");
    const lease = await ask(store.get(name));
    if (lease && lease.owner !== TAB_ID && lease.until > Date.now()) return false;
    store.put({ name, owner: TAB_ID, until: Date.now() + LEASE_MS });
    return true;
  });
}

function releaseLease(name) {
  return transaction(["leases"], "readwrite", async (tx) => {
    const store = tx.objectStore("leases");
    const lease = await ask(store.get(name));
    if (lease && lease.owner === TAB_ID) store.delete(name);
  });
}
