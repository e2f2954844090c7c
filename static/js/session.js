/* fieldapp.session: the bearer token and who is signed in, kept in localStorage.
 * {token, expires_at, user: {username, role, partner}} as POST /api/v1/auth/token returns it.
 * An expired session is still returned (the outbox keeps working offline); callers check
 * fieldapp.session.expired(s) before relying on the token.
 */
(function () {
  "use strict";
  var fieldapp = (window.fieldapp = window.fieldapp || {});
  var KEY = "fieldapp.session";

  fieldapp.session = {
    get: function () {
      try {
        var value = JSON.parse(localStorage.getItem(KEY) || "null");
        return value && value.token ? value : null;
      } catch (e) {
        return null;
      }
    },
    set: function (obj) {
      localStorage.setItem(KEY, JSON.stringify(obj));
      document.dispatchEvent(new CustomEvent("fieldapp:session", { detail: { session: obj } }));
    },
    clear: function () {
      localStorage.removeItem(KEY);
      document.dispatchEvent(new CustomEvent("fieldapp:session", { detail: { session: null } }));
    },
    expired: function (s) {
      s = s || fieldapp.session.get();
      if (!s) return true;
      var until = Date.parse(s.expires_at);
      return isNaN(until) ? false : until <= Date.now();
    },
  };
})();
