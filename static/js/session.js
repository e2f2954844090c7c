/* Who is signed in: the bearer session in localStorage, {token, expires_at, user: {username,
 * role, partner}} as POST /api/v1/auth/token returns it. An expired session is still returned
 * (the outbox keeps working offline); callers check expired() before relying on the token.
 * A change is announced with the document event "fieldapp:session" ({session}).
 */
const KEY = "fieldapp.session";
const LOGIN = "/field/login";

export function get() {
  try {
    const value = JSON.parse(localStorage.getItem(KEY) || "null");
    return value && value.token ? value : null;
  } catch {
    return null;
  }
}

function announce(session) {
  document.dispatchEvent(new CustomEvent("fieldapp:session", { detail: { session } }));
}

export function set(session) {
  localStorage.setItem(KEY, JSON.stringify(session));
  announce(session);
}

export function clear() {
  localStorage.removeItem(KEY);
  announce(null);
}

export function expired(session = get()) {
  if (!session) return true;
  const until = Date.parse(session.expires_at);
  return isNaN(until) ? false : until <= Date.now();
}

/** The signed-in volunteer's username, or null. */
export function username(session = get()) {
  const user = session?.user;
  return (typeof user === "string" ? user : user?.username) || null;
}

/** The login screen, coming back here afterwards. */
export function loginUrl() {
  // Drop ?lang=: a language chosen on the login screen must not be undone on the way back.
  const params = new URLSearchParams(location.search);
  params.delete("lang");
  const query = params.toString();
  return `${LOGIN}?next=${encodeURIComponent(location.pathname + (query ? `?${query}` : ""))}`;
}

/** The session, or off to the login screen. Offline with an expired token we stay: forms still work. */
export function requireSession() {
  const session = get();
  if (!session || (expired(session) && navigator.onLine)) {
    location.replace(loginUrl());
    return null;
  }
  return session;
}
