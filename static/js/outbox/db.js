/* The outbox's IndexedDB, hand-written and small: open with the upgrade steps, and one
 * transaction at a time as an async function.
 *
 * Inside a transaction only IndexedDB requests may be awaited: a transaction with nothing
 * pending at the end of a task commits, so awaiting anything else would cut it short.
 */
export const DB_NAME = "fieldapp-outbox";
// v1: the outbox store. v2: a status index and the lease store for browsers without
// navigator.locks. Each step only adds, so entries written by any older version stay readable.
export const DB_VERSION = 2;

function upgrade(db, oldVersion, tx) {
  if (oldVersion < 1) db.createObjectStore("outbox", { keyPath: "uuid" });
  if (oldVersion < 2) {
    tx.objectStore("outbox").createIndex("by_status", "status");
    db.createObjectStore("leases", { keyPath: "name" });
  }
}

let opening = null;

function open() {
  opening ??= new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, DB_VERSION);
    request.onupgradeneeded = (event) => upgrade(request.result, event.oldVersion, request.transaction);
    request.onsuccess = () => {
      const db = request.result;
      // A newer app version in another tab wants to upgrade: step aside, then tell the page.
      db.onversionchange = () => {
        db.close();
        opening = null;
        document.dispatchEvent(new CustomEvent("fieldapp:outbox-upgraded"));
      };
      resolve(db);
    };
    request.onerror = () => {
      opening = null;
      reject(request.error);
    };
    // onblocked: it waits until the old tab closes its connection.
  });
  return opening;
}

/** A request's result. */
export function ask(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

/** Runs `work(tx)` in one transaction over `stores`; resolves to its result once the
 * transaction has committed, or rejects and rolls everything back.
 * durability "strict": on disk when it resolves (a record must survive a dead battery the
 * moment the form says "saved"); browsers that do not know the option ignore it. */
export async function transaction(stores, mode, work, durability) {
  const db = await open();
  const tx = db.transaction(stores, mode, durability ? { durability } : undefined);
  const committed = new Promise((resolve, reject) => {
    tx.oncomplete = resolve;
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error || new Error("transaction aborted"));
  });
  let result;
  try {
    result = await work(tx);
  } catch (err) {
    committed.catch(() => {});
    try {
      tx.abort();
    } catch {
      /* already finished */
    }
    throw err;
  }
  await committed;
  return result;
}
