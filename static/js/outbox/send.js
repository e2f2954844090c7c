/* Sending: one record or referral event by PUT, a backlog of records by POST
 * /api/v1/records/batch, and what each answer means for the entries in it. An entry leaves
 * "not sent" only on the server's 2xx.
 */
import { N_, t } from "../i18n.js";
import { request } from "../http.js";
import * as session from "../session.js";
import { getEntry, isRecord, updateEntries, updateEntry, urlOf } from "./entries.js";
import { withLock } from "./locks.js";
import { announce, state } from "./state.js";

const SEND_TIMEOUT_MS = 30000;

/** What an HTTP status means for the entries it answers: the one place that decides. */
export function verdict(status, entry = null) {
  if (status === 200 || status === 201) return "stored"; // 201 created, 200 an identical retry
  // A referral's step refused with 403 is not a login matter: the referral was taken by someone
  // else, or moved to another partner. Waiting for a new login would keep it forever. Nor is a
  // suggestion's: its sender does not (or no longer) speak the language.
  if (status === 403 && entry && !isRecord(entry)) return "refused";
  if (status === 401 || status === 403) return "login";
  if (status === 408 || status === 425 || status === 429 || status >= 500) return "later";
  return "refused"; // 409, 422 and the rest: the server will never take this body
}

// Bearer only: an expired CSRF token or cookie can never block a replay.
const send = (method, url, body, token) =>
  request(method, url, { body, token, timeoutMs: SEND_TIMEOUT_MS, credentials: "omit", cache: "no-store" });

const noAnswer = (err) => (navigator.onLine ? `network: ${err?.message}` : "offline");

const settle = (uuid, status, lastError, extra) =>
  updateEntry(uuid, (e) => Object.assign(e, { status, last_error: lastError }, extra));

// Only entries still "sending": whatever else happened to one meanwhile stands.
const settleAll = (entries, change) => updateEntries(entries.map((e) => e.uuid), "sending", change);

// A 5xx or 429 that says when to come back (Retry-After, as the server does while its database
// is down, restarting or refusing writes) is "busy": the outbox waits that long, not its own
// back-off, and the phone says the server is busy and the record is kept.
const laterKind = (retryAfter) => (retryAfter != null ? "busy" : "server");

/** One try for one entry. Resolves to {status, errors?, message?, retry?: "network"|"auth"|"server"|"busy",
 * after?: seconds to wait (Retry-After)}. */
export async function attempt(uuid) {
  const s = session.get();
  if (!s?.token) {
    state.loginRequired = true;
    return { status: "pending", retry: "auth" };
  }
  const me = session.username(s);
  const outcome = await withLock(`fieldapp-outbox:${uuid}`, async () => {
    const entry = await updateEntry(uuid, (e) => {
      if (e.status !== "pending") return false;
      if (e.owner && me && e.owner !== me) return false; // another volunteer's record waits for them
      e.status = "sending";
      e.attempts += 1;
      e.last_attempt_at = Date.now();
    });
    if (!entry) return null;
    announce();
    let answer;
    try {
      answer = await send("PUT", urlOf(entry), entry.payload, s.token);
    } catch (err) {
      await settle(uuid, "pending", noAnswer(err));
      return { status: "pending", retry: "network" };
    }
    return settleOne(entry, answer);
  });
  if (outcome.ran && outcome.value) return outcome.value;
  const entry = await getEntry(uuid); // another tab (or an earlier try) had it
  return { status: entry ? entry.status : "unknown" };
}

async function settleOne(entry, { status: code, data, retryAfter }) {
  const { uuid } = entry;
  const message = data?.message ?? null;
  switch (verdict(code, entry)) {
    case "stored":
      state.loginRequired = false;
      await settle(uuid, "sent", null, { sent_at: Date.now(), http_status: code, errors: null });
      return { status: "sent" };
    case "login":
      state.loginRequired = true;
      await settle(uuid, "pending", `login: ${message || code}`, { http_status: code });
      return { status: "pending", retry: "auth", message };
    case "later":
      await settle(uuid, "pending", `server: ${code}`, { http_status: code });
      return { status: "pending", retry: laterKind(retryAfter), after: retryAfter };
    default: {
      const errors = data?.errors || null;
      await settle(uuid, "needs_attention", message || String(code), { http_status: code, errors, message });
      return { status: "needs_attention", message, errors };
    }
  }
}

/** Several entries in one request. Only the flush-lock holder calls this; claiming pending →
 * sending is one transaction, so an entry a form is sending at this moment is left out.
 * Resolves to {} when answered, {retry} to back off, {fallback: true} to send one by one. */
export async function sendBatch(entries) {
  const s = session.get();
  if (!s?.token) {
    state.loginRequired = true;
    return { retry: "auth" };
  }
  const now = Date.now();
  const claimed = await updateEntries(entries.map((e) => e.uuid), "pending", (e) => {
    e.status = "sending";
    e.attempts += 1;
    e.last_attempt_at = now;
  });
  if (!claimed.length) return {};
  announce();
  let answer;
  try {
    answer = await send("POST", "/api/v1/records/batch", { records: claimed.map((e) => e.payload) }, s.token);
  } catch (err) {
    await settleAll(claimed, (e) => Object.assign(e, { status: "pending", last_error: noAnswer(err) }));
    return { retry: "network" };
  }
  return settleBatch(claimed, answer);
}

async function settleBatch(entries, { status: code, data, retryAfter }) {
  const kind = verdict(code);
  if (kind === "login" || kind === "later") {
    if (kind === "login") state.loginRequired = true;
    await settleAll(entries, (e) => Object.assign(e, { status: "pending", last_error: `${kind === "login" ? "login" : "server"}: ${code}` }));
    return kind === "login" ? { retry: "auth" } : { retry: laterKind(retryAfter), after: retryAfter };
  }
  if (code !== 200 || !data) {
    // No batch endpoint, or it refused the envelope: let each record get its own answer.
    await settleAll(entries, (e) => Object.assign(e, { status: "pending", attempts: Math.max(0, e.attempts - 1) }));
    return { fallback: true };
  }
  const results = {};
  for (const r of data.results || []) results[String(r.id).toLowerCase()] = r;
  state.loginRequired = false;
  await settleAll(entries, (e) => settleItem(e, results[e.uuid]));
  return {};
}

// The batch answers per item without a sentence; these are the server's own msgids for the
// single-record answers (409 and 422), in the phone's current language.
function settleItem(e, result) {
  if (!result) return Object.assign(e, { status: "pending", last_error: "no answer in batch" });
  if (result.status === "created" || result.status === "duplicate") {
    return Object.assign(e, {
      status: "sent", sent_at: Date.now(), http_status: result.status === "created" ? 201 : 200, last_error: null, errors: null,
    });
  }
  const conflict = result.status === "conflict";
  const message = conflict ? t(N_("This record was already sent with different content.")) : t(N_("Some fields need attention."));
  return Object.assign(e, {
    status: "needs_attention", http_status: conflict ? 409 : 422, errors: conflict ? null : result.errors || null,
    message, last_error: message,
  });
}
