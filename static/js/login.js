/* The field login: a bearer token from POST /api/v1/auth/token, kept by fieldapp.session. */
(function () {
  "use strict";
  var fieldapp = window.fieldapp;
  var form = document.getElementById("login-form");
  var errorBox = document.getElementById("login-error");
  var totpField = document.getElementById("totp-field");

  function nextUrl() {
    var next = new URLSearchParams(location.search).get("next") || "";
    // Only our own field pages: never an open redirect.
    return /^\/field\/[^/]/.test(next) || next === "/field/" ? next : "/field/";
  }

  function showError(msgid, serverText) {
    errorBox.hidden = false;
    if (msgid) {
      errorBox.setAttribute("data-i18n", msgid);
      errorBox.textContent = fieldapp.i18n.t(msgid);
    } else {
      errorBox.removeAttribute("data-i18n");
      errorBox.textContent = serverText;
    }
  }

  function needsCode(data) {
    if (!data) return false;
    if (data.totp_required || (data.errors && data.errors.totp)) return true;
    return false;
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    errorBox.hidden = true;
    var body = { username: form.username.value.trim(), password: form.password.value };
    if (!body.username || !body.password) {
      showError(N_("Fill in your username and password."));
      return;
    }
    if (!totpField.hidden && form.totp.value.trim()) body.totp = form.totp.value.trim();
    fieldapp.api.request("POST", "/api/v1/auth/token", body).then(function (r) {
      if (r.ok && r.data && r.data.token) {
        fieldapp.session.set({ token: r.data.token, expires_at: r.data.expires_at, user: r.data.user });
        location.assign(nextUrl());
        return;
      }
      if (needsCode(r.data)) {
        totpField.hidden = false;
        form.totp.focus();
      }
      var message = r.data && r.data.message;
      var msgid = message && fieldapp.i18n.msgidFor(message, fieldapp.i18n.locale);
      if (msgid) showError(msgid);
      else if (message) showError(null, message);
      else showError(N_("Logging in did not work. Try again."));
    }, function () {
      showError(N_("No connection. Log in once while you are online."));
    });
  });
})();
