/* The one way the field app calls the API: JSON, the bearer token, the interface language. */
import { locale } from "./i18n.js";
import * as session from "./session.js";

/** Seconds a 503 or 429 asks the client to wait (Retry-After: seconds or an HTTP date), or null. */
export function retryAfterSeconds(value) {
  if (!value) return null;
  const seconds = /^\s*\d+\s*$/.test(value) ? Number(value) : (Date.parse(value) - Date.now()) / 1000;
  return Number.isFinite(seconds) ? Math.max(0, seconds) : null;
}

/** Resolves to {status, ok, data, retryAfter} (data: the parsed JSON body, or null;
 * retryAfter: the Retry-After header in seconds, or null); rejects only when
 * no answer came (offline, a cut line, `timeoutMs` passed).
 * token: the signed-in one unless given; credentials "omit" sends the bearer alone. */
export async function request(method, url, { body, token = session.get()?.token, timeoutMs, credentials = "same-origin", cache } = {}) {
  const headers = { Accept: "application/json", "Accept-Language": locale() };
  if (token) headers.Authorization = `Bearer ${token}`;
  const init = { method, headers, credentials, cache };
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  if (timeoutMs && AbortSignal.timeout) init.signal = AbortSignal.timeout(timeoutMs); // Safari 16+
  const response = await fetch(url, init);
  let data = null;
  try {
    data = JSON.parse(await response.text());
  } catch {
    /* empty or not JSON */
  }
  return { status: response.status, ok: response.ok, data, retryAfter: retryAfterSeconds(response.headers.get("Retry-After")) };
}
