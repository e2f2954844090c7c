/* fieldapp.api: JSON calls with the bearer token and the current language, plus the small
 * pieces of state the field screens share (chosen street, cached street list).
 */
(function () {
  "use strict";
  var fieldapp = (window.fieldapp = window.fieldapp || {});
  var LOGIN = "/field/login";

  function currentLocale() {
    return (fieldapp.i18n && fieldapp.i18n.locale) || document.documentElement.lang || "nl";
  }

  function request(method, url, body) {
    var headers = { "Accept": "application/json", "Accept-Language": currentLocale() };
    var session = fieldapp.session && fieldapp.session.get();
    if (session) headers["Authorization"] = "Bearer " + session.token;
    var init = { method: method, headers: headers, credentials: "same-origin" };
    if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    return fetch(url, init).then(function (response) {
      return response.text().then(function (text) {
        var data = null;
        try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
        return { status: response.status, ok: response.ok, data: data };
      });
    });
  }

  function loginUrl() {
    // Drop ?lang=: a language chosen on the login screen must not be undone on the way back.
    var params = new URLSearchParams(location.search);
    params.delete("lang");
    var query = params.toString();
    return LOGIN + "?next=" + encodeURIComponent(location.pathname + (query ? "?" + query : ""));
  }

  /** The session, or off to the login screen. Offline with an expired token we stay: forms still work. */
  function requireSession() {
    var session = fieldapp.session.get();
    if (!session || (fieldapp.session.expired(session) && navigator.onLine)) {
      location.replace(loginUrl());
      return null;
    }
    return session;
  }

  function readJSON(key, fallback) {
    try { var v = JSON.parse(localStorage.getItem(key) || "null"); return v === null ? fallback : v; }
    catch (e) { return fallback; }
  }

  function writeJSON(key, value) {
    try { localStorage.setItem(key, JSON.stringify(value)); } catch (e) { /* storage full: not fatal */ }
  }

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  fieldapp.api = { request: request, loginUrl: loginUrl, requireSession: requireSession };
  fieldapp.uuid = uuid;
  fieldapp.store = {
    /** The street the volunteer is working in: preselected on every form. */
    chosenStreet: function () { return readJSON("fieldapp.street", null); },
    chooseStreet: function (street) { writeJSON("fieldapp.street", { id: street.id, name: street.name }); },
    /** The neighbourhood's streets, for the forms' street list when offline. */
    streets: function () { return readJSON("fieldapp.streets", []); },
    saveStreets: function (streets) {
      writeJSON("fieldapp.streets", streets.map(function (s) { return { id: s.id, name: s.name }; }));
    },
    get: readJSON,
    set: writeJSON,
  };
  /** Refresh the cached street list (by name) when online; resolves to the cached list. */
  fieldapp.refreshStreets = function () {
    return request("GET", "/api/v1/streets?limit=500").then(function (r) {
      if (r.ok && r.data) fieldapp.store.saveStreets(r.data.streets);
      return fieldapp.store.streets();
    }, function () { return fieldapp.store.streets(); });
  };
})();
