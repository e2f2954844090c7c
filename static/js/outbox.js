/* The outbox: the phone's record of truth for records, and for the steps taken on referrals
 * (contacted, appointment, closed, taken), not yet on the server.
 *
 * Every record is written to IndexedDB before any attempt to send it, and leaves the
 * "not sent" state only on a 2xx from the server. The server's PUT is idempotent (201 the
 * first time, 200 for an identical retry), so re-sending after a lost acknowledgement is
 * safe — which is also why a payload never changes once tried: a correction is a new record
 * under a new UUID.
 *
 * The service worker never touches this database; only pages do, so an app update cannot
 * strand the entries. Locks keep two open tabs from sending the same entry at once.
 */
import * as session from "./session.js";
import { newUuid } from "./uuid.js";
import { ask, transaction } from "./outbox/db.js";
import {
  allEntries, countEntries, getEntry, isRecord, normalise, outboxStore, pendingEntries, pruneOld, updateEntry,
} from "./outbox/entries.js";
import { claimLease, hasWebLocks, withLock } from "./outbox/locks.js";
import { attempt, sendBatch } from "./outbox/send.js";
import { announce, lastCounts, state } from "./outbox/state.js";

export { newUuid };
export { isEvent, isRecord, isSuggestion } from "./outbox/entries.js";
export { DB_NAME, DB_VERSION } from "./outbox/db.js";
export const counts = countEntries;

const BATCH_SIZE = 50;
const BACKOFF_MIN_MS = 5000;
const BACKOFF_MAX_MS = 5 * 60000;
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const FIX_KEY = "fieldapp.outbox.fix";
const TOMBSTONES = new Set(["replaced", "discarded"]);

// ---- flushing ------------------------------------------------------------------------------

let running = null;
let again = false;
let timer = null;

/** Sends every pending entry of the signed-in volunteer, oldest first; one flush at a time
 * across tabs. A flush asked for while one runs in this tab joins it, and one more round
 * follows, so entries submitted meanwhile are not left for the timer. Resolves to the counts.
 * {batch: false} sends one PUT per record (the benchmark compares both). */
export function flush({ batch = true } = {}) {
  if (running) {
    again = true;
    return running;
  }
  running = (async () => {
    let after;
    do {
      again = false;
      after = await flushOnce(batch);
    } while (again);
    return after;
  })().finally(() => { running = null; });
  return running;
}

async function flushOnce(batch) {
  try {
    if (waitingForServer()) {
      // The server said when to come back (Retry-After): no request before then, whoever asks.
      schedule();
      return announce();
    }
    const waiting = await countEntries();
    if (waiting.pending + waiting.sending === 0) {
      // Nothing to send or to recover: no lock (see outbox/locks.js), only the tidying.
      await pruneOld();
      afterFlush(null);
      return announce();
    }
    const outcome = await withLock("fieldapp-outbox-flush", async () => {
      state.flushing = true;
      await recoverStuck();
      await pruneOld();
      await announce();
      return sendAll(batch);
    });
    state.flushing = false;
    if (outcome.ran) afterFlush(outcome.value);
  } catch (err) {
    state.flushing = false;
    state.lastError = String(err);
    console.error("fieldapp outbox: flush failed", err);
    schedule();
  }
  return announce();
}

// Rounds until nothing is left to try; entries submitted meanwhile are picked up by the next
// round. A backlog of records goes in batches (hundreds of phones reconnecting after an event
// must not cost the server a request per record); one record goes alone, and so does every
// referral event, oldest first (a referral's steps must arrive in the order they were taken).
// Resolves to the result that stopped it: {retry} when offline, logged out or the server is in trouble.
async function sendAll(batch) {
  const tried = new Set();
  const me = session.username();
  let useBatch = batch;
  for (;;) {
    if (!hasWebLocks()) await claimLease("fieldapp-outbox-flush"); // renew
    const queue = (await pendingEntries()).filter((e) => !tried.has(e.uuid) && (!e.owner || !me || e.owner === me));
    if (!queue.length) return null;
    const records = queue.filter(isRecord);
    if (useBatch && records.length > 1) {
      const chunk = records.slice(0, BATCH_SIZE);
      const result = await sendBatch(chunk);
      if (result.fallback) useBatch = false; // the same records again, one by one
      else chunk.forEach((e) => tried.add(e.uuid));
      if (result.retry) return result;
      continue;
    }
    for (const entry of queue) {
      tried.add(entry.uuid);
      const result = await attempt(entry.uuid);
      if (result.retry) return result; // back off
    }
  }
}

// What the last try learnt about the line is the latest news: the status bar reads it.
function afterFlush(stoppedOn) {
  if (stoppedOn?.retry) {
    state.failures += 1;
    state.lastError = stoppedOn.retry;
    noteRetryAfter(stoppedOn);
  } else {
    state.failures = 0;
    state.lastError = null;
    state.notBefore = 0;
  }
  schedule();
}

// Retry-After: the server's own word on when to come back replaces the back-off, plus a little
// jitter upwards so that a hundred phones told the same do not all come back in the same second.
function noteRetryAfter(result) {
  if (result?.after == null) return;
  const ms = Math.min(BACKOFF_MAX_MS, result.after * 1000);
  state.notBefore = Date.now() + ms * (1 + Math.random() * 0.1);
}

const waitingForServer = () => state.notBefore > Date.now();

// A "sending" entry whose lock nobody holds was cut off mid-send (tab closed, battery died).
// Putting it back is safe: the server answers the re-send with 200 if it already has it.
async function recoverStuck() {
  const stuck = (await allEntries()).filter((e) => e.status === "sending");
  await Promise.all(stuck.map((e) => withLock(`fieldapp-outbox:${e.uuid}`, () => updateEntry(e.uuid, (x) => {
    if (x.status !== "sending") return false;
    x.status = "pending";
    x.last_error = "interrupted";
  }))));
}

function schedule() {
  clearTimeout(timer);
  timer = null;
  if (lastCounts.pending + lastCounts.sending === 0 && !state.failures) return;
  let delay = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** Math.max(0, state.failures - 1));
  delay *= 0.75 + Math.random() * 0.5; // jitter: a hundred phones must not retry in step
  if (state.notBefore) delay = Math.max(0, state.notBefore - Date.now()); // the server said when
  timer = setTimeout(() => {
    timer = null;
    flush();
  }, delay);
}

// ---- submitting ----------------------------------------------------------------------------

function withoutId(payload) {
  const { id, ...rest } = payload || {};
  return rest;
}

const sameBody = (a, b) => JSON.stringify(a) === JSON.stringify(b);

/** The correction a "Fix" opened in this tab: the form's next submit() files it. */
export function activeFix() {
  try {
    const draft = JSON.parse(sessionStorage.getItem(FIX_KEY) || "null");
    const wanted = new URLSearchParams(location.search).get("fix");
    return draft && wanted && draft.uuid === wanted ? draft : null;
  } catch {
    return null;
  }
}

/** Stores the record (the moment this resolves it is safe on the phone), then tries once.
 * Resolves to {status: "sent"|"pending"|"needs_attention", uuid, retry?, errors?, message?}.
 *
 * Re-submitting a UUID: the same body is a double tap and changes nothing; a new body for a
 * record the server refused is a correction and becomes a NEW record under a new UUID, with
 * the original kept as a tombstone so its UUID can never carry another body. */
export async function submit(uuid, payload, options = {}) {
  const fixing = options.replaces ? null : activeFix();
  return keepAndTry(uuid, payload, { kind: "record" }, options.replaces || fixing?.replaces, fixing);
}

/** The same for a step in a referral's life: `body` is what PUT /api/v1/referrals/<referralId>/
 * events/<uuid> takes, under the UUID made when the volunteer took the step. The same rules: a
 * double tap changes nothing, a new body after a refusal is a correction under a new UUID. */
export function submitEvent(referralId, uuid, body, about = null) {
  // `about` ({code, street}) names the referral in the outbox's lists; it is never sent.
  return keepAndTry(uuid, body, { kind: "event", referral: Number(referralId), about }, null, null);
}

/** A better wording from suggest mode: `body` is what PUT /api/v1/translations/suggestions/<uuid>
 * takes ({locale, msgid, forms, comment}). Kept and sent like a record, so one typed offline
 * arrives once, whenever the line comes back. */
export function submitSuggestion(uuid, body) {
  return keepAndTry(uuid, body, { kind: "suggestion" }, null, null);
}

async function keepAndTry(uuid, payload, target, replaces, fixing) {
  if (!UUID_RE.test(String(uuid))) throw new Error(`submit: not a UUID: ${uuid}`);
  uuid = String(uuid).toLowerCase();
  const body = withoutId(JSON.parse(JSON.stringify(payload))); // a plain, frozen-in-time copy
  const { entry, conflict } = await transaction(["outbox"], "readwrite", (tx) => file(tx, uuid, body, replaces, target), "strict");
  if (fixing && !conflict) sessionStorage.removeItem(FIX_KEY);
  if (conflict) throw new Error("submit: this UUID was sent with another payload; a correction needs a new UUID");
  await announce();
  if (entry.status !== "pending" || !navigator.onLine) return { status: publicStatus(entry.status), uuid: entry.uuid };
  if (target.kind === "event") return sentInOrder(entry.uuid);
  if (waitingForServer()) {
    // Kept; the timer sends it when the server said to come back.
    schedule();
    await announce();
    return { status: "pending", uuid: entry.uuid, retry: state.lastError || "busy" };
  }
  const result = await attempt(entry.uuid);
  if (result.retry) {
    state.failures = Math.max(state.failures, 1);
    state.lastError = result.retry;
    noteRetryAfter(result);
  } else if (result.status === "sent" || result.status === "needs_attention") {
    state.failures = 0;
    state.lastError = null;
    state.notBefore = 0;
  }
  schedule();
  await announce();
  const out = { status: publicStatus(result.status), uuid: entry.uuid };
  for (const key of ["retry", "errors", "message"]) if (result[key]) out[key] = result[key];
  return out;
}

// A referral's steps must reach the server in the order they were taken (a "contacted" kept
// offline, then "closed" with a line: the close must not overtake it), so an event goes with
// a flush, which sends the oldest first.
async function sentInOrder(uuid) {
  await flush();
  const entry = await getEntry(uuid);
  const out = { status: publicStatus(entry?.status || "pending"), uuid };
  if (entry?.status === "pending" && state.lastError) out.retry = state.lastError;
  if (entry?.status === "needs_attention") Object.assign(out, { errors: entry.errors, message: entry.message });
  return out;
}

// Inside submit's transaction: where this body goes. Resolves to {entry, conflict}.
// A record's payload carries its id; an event's is the body alone (its id is in the URL).
async function file(tx, uuid, body, replaces, target) {
  const store = outboxStore(tx);
  const withId = (id) => (target.kind === "record" ? { id, ...body } : { ...body });
  const create = (id, replacing) => {
    const entry = normalise({
      uuid: id, ...target, payload: withId(id), status: "pending", attempts: 0, last_error: null,
      created_at: Date.now(), owner: session.username(), replaces: replacing || null,
    });
    store.add(entry);
    return { entry };
  };
  const retire = (old, byId) => store.put(Object.assign(old, { status: "replaced", replaced_by: byId, updated_at: Date.now() }));
  if (replaces) {
    // An explicit fix: the new entry and the tombstone land in one transaction.
    const old = await ask(store.get(String(replaces).toLowerCase()));
    if (old?.status === "needs_attention") retire(normalise(old), uuid);
  }
  let id = uuid;
  for (;;) {
    const existing = normalise(await ask(store.get(id)));
    if (!existing) return create(id === uuid ? id : newUuid());
    if (existing.status === "replaced" && existing.replaced_by) {
      id = existing.replaced_by;
      continue;
    }
    if (existing.status === "discarded") return create(newUuid());
    if (sameBody(withoutId(existing.payload), body)) {
      // Sending the same body again on purpose (say after the volunteer got back access to
      // the street) is a new try; otherwise it is a double tap and changes nothing.
      if (existing.status === "needs_attention") store.put(Object.assign(existing, { status: "pending", updated_at: Date.now() }));
      return { entry: existing };
    }
    if (existing.status === "pending" && existing.attempts === 0) {
      // Never tried: still only ours to change.
      store.put(Object.assign(existing, { payload: withId(existing.uuid), updated_at: Date.now() }));
      return { entry: existing };
    }
    if (existing.status === "needs_attention") {
      const fresh = newUuid();
      retire(existing, fresh);
      return create(fresh, existing.uuid);
    }
    return { entry: existing, conflict: true };
  }
}

// The form only needs to know: on the server, kept to send later, or needs the volunteer.
const publicStatus = (status) => (status === "sending" ? "pending" : status);

// ---- the volunteer's view ------------------------------------------------------------------

/** Every entry but the tombstones, oldest first. */
export async function list() {
  return (await allEntries()).filter((e) => !TOMBSTONES.has(e.status));
}

/** Deliberate only: the caller has asked the volunteer. The body goes; a tombstone keeps the
 * UUID from ever being used again. Sent and in-flight entries cannot be discarded. */
export async function discard(uuid) {
  const entry = await updateEntry(String(uuid).toLowerCase(), (e) => {
    if (e.status !== "pending" && e.status !== "needs_attention") return false;
    Object.assign(e, { status: "discarded", payload: null, errors: null });
  });
  await announce();
  return !!entry;
}

/** A draft for correcting a refused record: same content, NEW uuid, {uuid, payload, replaces,
 * errors, message}. It is kept for the form that opens with ?fix=<uuid>; that form's next
 * submit() is the correction and retires the original in the same transaction. */
export async function fix(oldUuid) {
  const e = await getEntry(oldUuid);
  if (!e) throw new Error(`fix: no such entry ${oldUuid}`);
  const uuid = newUuid();
  const draft = { uuid, payload: { ...JSON.parse(JSON.stringify(e.payload)), id: uuid }, replaces: e.uuid, errors: e.errors, message: e.message || e.last_error };
  sessionStorage.setItem(FIX_KEY, JSON.stringify(draft));
  return draft;
}

// ---- start-up and replay triggers ----------------------------------------------------------

window.addEventListener("online", () => {
  state.online = true;
  state.failures = 0;
  flush();
});
window.addEventListener("offline", () => {
  state.online = false;
  announce();
});
document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "visible") flush();
});
// A fresh login may unblock entries waiting for a token.
document.addEventListener("fieldapp:session", (event) => {
  if (!event.detail?.session) return;
  state.loginRequired = false;
  flush();
});

/** Resolves once the start-up flush is done. */
export const ready = flush();
