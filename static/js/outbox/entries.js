/* The outbox's entries in IndexedDB: their shape, and every read and write of them.
 *
 * An entry: {uuid, kind, referral, payload, status, attempts, last_error, created_at,
 * updated_at, owner, errors, message, replaces, replaced_by, sent_at, http_status, format}.
 * kind "record" (PUT /api/v1/records/<uuid>, payload with its id), "event" (a step in a
 * referral's life: PUT /api/v1/referrals/<referral>/events/<uuid>, the body alone) or
 * "suggestion" (a better wording from suggest mode: PUT /api/v1/translations/suggestions/<uuid>,
 * the body alone). Its status
 * moves pending → sending → sent | pending | needs_attention; replaced and discarded are tombstones.
 */
import { ask, transaction } from "./db.js";

// 3: entries name their kind; one written before that is a record.
const FORMAT = 3;

export const isRecord = (entry) => (entry.kind || "record") === "record";
export const isEvent = (entry) => entry.kind === "event";
export const isSuggestion = (entry) => entry.kind === "suggestion";

/** Where an entry is PUT. */
export function urlOf(entry) {
  if (isEvent(entry)) return `/api/v1/referrals/${encodeURIComponent(entry.referral)}/events/${entry.uuid}`;
  if (isSuggestion(entry)) return `/api/v1/translations/suggestions/${entry.uuid}`;
  return `/api/v1/records/${entry.uuid}`;
}
export const STATUSES = ["pending", "sending", "needs_attention", "sent"];
const SENT_KEEP_MS = 24 * 3600 * 1000; // sent entries stay a day for "my recent records"

// Entries written by an older version lack newer fields; fill them in when read.
export function normalise(entry) {
  if (!entry) return entry;
  entry.attempts ??= 0;
  entry.last_error ??= null;
  entry.created_at ||= Date.now();
  entry.errors ??= null;
  entry.owner ??= null;
  entry.kind ??= "record";
  entry.format = FORMAT;
  return entry;
}

const oldestFirst = (rows) => rows.map(normalise).sort((a, b) => a.created_at - b.created_at);

export const outboxStore = (tx) => tx.objectStore("outbox");

export function getEntry(uuid) {
  return transaction(["outbox"], "readonly", async (tx) => normalise(await ask(outboxStore(tx).get(uuid))));
}

export function allEntries() {
  return transaction(["outbox"], "readonly", async (tx) => oldestFirst(await ask(outboxStore(tx).getAll())));
}

export function pendingEntries() {
  return transaction(["outbox"], "readonly", async (tx) =>
    oldestFirst(await ask(outboxStore(tx).index("by_status").getAll("pending"))));
}

/** Read-modify-write of one entry in one transaction; `change` returns false to leave it.
 * Resolves to the entry as written, or null. */
export function updateEntry(uuid, change) {
  return transaction(["outbox"], "readwrite", async (tx) => {
    const entry = normalise(await ask(outboxStore(tx).get(uuid)));
    if (!entry || change(entry) === false) return null;
    entry.updated_at = Date.now();
    outboxStore(tx).put(entry);
    return entry;
  });
}

/** The same for several entries, each changed only while it is in `status`. Resolves to the changed ones. */
export function updateEntries(uuids, status, change) {
  return transaction(["outbox"], "readwrite", async (tx) => {
    const store = outboxStore(tx);
    const found = await Promise.all(uuids.map((uuid) => ask(store.get(uuid))));
    const changed = [];
    for (let entry of found) {
      entry = normalise(entry);
      if (!entry || entry.status !== status || change(entry) === false) continue;
      entry.updated_at = Date.now();
      store.put(entry);
      changed.push(entry);
    }
    return changed;
  });
}

// Index counts: cheap enough to run after every send, whatever the outbox's size. Besides, how
// many of the waiting and refused ones are follow-up steps (few: read, not counted by an index),
// so the status bar does not call a step a record.
export function countEntries() {
  return transaction(["outbox"], "readonly", async (tx) => {
    const index = outboxStore(tx).index("by_status");
    const numbers = await Promise.all(STATUSES.map((status) => ask(index.count(status))));
    const counts = Object.fromEntries(STATUSES.map((status, i) => [status, numbers[i]]));
    const steps = async (status) => (await ask(index.getAll(status))).filter(isEvent).length;
    const [pending, sending, attention] = await Promise.all(["pending", "sending", "needs_attention"].map(steps));
    return Object.assign(counts, { steps_waiting: pending + sending, steps_attention: attention });
  });
}

/** Sent entries after a day, tombstones after a day: gone. */
export function pruneOld() {
  const cutoff = Date.now() - SENT_KEEP_MS;
  return transaction(["outbox"], "readwrite", async (tx) => {
    for (const e of await ask(outboxStore(tx).getAll())) {
      const done = e.status === "sent" ? e.sent_at : e.status === "replaced" || e.status === "discarded" ? e.updated_at : null;
      if (done !== null && (done || 0) < cutoff) outboxStore(tx).delete(e.uuid);
    }
  });
}
