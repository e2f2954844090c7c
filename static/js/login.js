/* The field login: a bearer token from POST /api/v1/auth/token, kept in session.js. */
import { N_, locale, msgidFor, say, unsay } from "./i18n.js";
import { request } from "./http.js";
import * as session from "./session.js";

const form = document.getElementById("login-form");
const errorBox = document.getElementById("login-error");
const totpField = document.getElementById("totp-field");

function nextUrl() {
  const next = new URLSearchParams(location.search).get("next") || "";
  // Only our own field pages: never an open redirect.
  return /^\/field\/[^/]/.test(next) || next === "/field/" ? next : "/field/";
}

/** A msgid, or the server's text when our catalogs do not know it. */
function showError(msgid, serverText) {
  errorBox.hidden = false;
  if (msgid) say(errorBox, msgid);
  else {
    unsay(errorBox);
    errorBox.textContent = serverText;
  }
}

const needsCode = (data) => !!(data && (data.totp_required || data.errors?.totp));

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  errorBox.hidden = true;
  const body = { username: form.username.value.trim(), password: form.password.value };
  if (!body.username || !body.password) {
    showError(N_("Fill in your username and password."));
    return;
  }
  if (!totpField.hidden && form.totp.value.trim()) body.totp = form.totp.value.trim();
  let r;
  try {
    r = await request("POST", "/api/v1/auth/token", { body });
  } catch {
    showError(N_("No connection. Log in once while you are online."));
    return;
  }
  if (r.ok && r.data?.token) {
    session.set({ token: r.data.token, expires_at: r.data.expires_at, user: r.data.user });
    location.assign(nextUrl());
    return;
  }
  if (needsCode(r.data)) {
    totpField.hidden = false;
    form.totp.focus();
  }
  const message = r.data?.message;
  const msgid = message && msgidFor(message, locale());
  if (msgid) showError(msgid);
  else if (message) showError(null, message);
  else showError(N_("Logging in did not work. Try again."));
});
