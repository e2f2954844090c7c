/* fieldapp offline: service-worker registration, the always-visible outbox status bar,
 * persistent storage, the street list for offline use, a safe update flow and the logout
 * warning. Needs outbox.js loaded first. Every string goes through t() with an English msgid
 * listed in fieldapp/offline/messages.py.
 */
(function () {
  "use strict";

  var fieldapp = (window.fieldapp = window.fieldapp || {});
  var outbox = fieldapp.outbox;
  var tables = {}; // locale -> {msgid: text}, our own strings from /offline/i18n/<locale>.json
  var counts = { pending: 0, sending: 0, needs_attention: 0, sent: 0 };
  var detail = {};
  var waitingWorker = null;
  var upgradedElsewhere = false;
  var expanded = false;
  var STREETS_URL = "/api/v1/streets?limit=500";
  var STREETS_EVERY_MS = 10 * 60000;

  // ---- strings -----------------------------------------------------------------------------

  function locale() {
    return (fieldapp.i18n && fieldapp.i18n.locale) || document.documentElement.lang || "nl";
  }

  function format(text, params) {
    return String(text).replace(/%\((\w+)\)[sd]/g, function (m, name) {
      return params && params[name] !== undefined ? String(params[name]) : m;
    });
  }

  function t(msgid, params) {
    var own = tables[locale()];
    if (fieldapp.i18n && typeof fieldapp.i18n.t === "function") {
      var theirs = fieldapp.i18n.t(msgid, params);
      if (theirs && (theirs !== format(msgid, params) || !own || !own[msgid])) return theirs;
    }
    return format((own && own[msgid]) || msgid, params);
  }

  function plural(one, many, n) { return n === 1 ? t(one, { count: n }) : t(many, { count: n }); }

  function loadStrings(code) {
    if (tables[code] || code === "en") return Promise.resolve();
    return fetch("/offline/i18n/" + encodeURIComponent(code) + ".json")
      .then(function (r) { return r.ok ? r.json() : {}; })
      .then(function (table) { tables[code] = table; }, function () {});
  }

  // ---- the status bar ----------------------------------------------------------------------

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function ensureStylesheet() {
    if (document.querySelector('link[href="/static/css/offline.css"]')) return;
    var link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = "/static/css/offline.css";
    document.head.appendChild(link);
  }

  function bar() {
    var node = document.getElementById("outbox-status");
    if (node && node.dataset.built) return node;
    if (!node) {
      node = el("div");
      node.id = "outbox-status";
      var header = document.querySelector("header");
      if (header && header.parentNode) header.parentNode.insertBefore(node, header.nextSibling);
      else document.body.insertBefore(node, document.body.firstChild);
    }
    node.classList.add("outbox-status");
    node.dataset.built = "1";
    var line = el("div", "outbox-status__line");
    var text = el("span", "outbox-status__text");
    text.setAttribute("role", "status");
    text.setAttribute("aria-live", "polite");
    var login = el("a", "outbox-status__login");
    login.href = "/field/login";
    var send = el("button", "outbox-status__send");
    send.type = "button";
    send.addEventListener("click", function () { send.disabled = true; outbox.flush().finally(function () { send.disabled = false; }); });
    var toggle = el("button", "outbox-status__toggle");
    toggle.type = "button";
    toggle.setAttribute("aria-expanded", "false");
    toggle.setAttribute("aria-controls", "outbox-attention");
    toggle.addEventListener("click", function () { expanded = !expanded; render(); });
    line.append(text, login, send, toggle);
    var update = el("div", "outbox-status__update");
    var updateText = el("span", "outbox-status__update-text");
    var updateButton = el("button", "outbox-status__update-button");
    updateButton.type = "button";
    updateButton.addEventListener("click", applyUpdate);
    update.append(updateText, updateButton);
    var listNode = el("ul", "outbox-status__list");
    listNode.id = "outbox-attention";
    node.append(line, update, listNode);
    return node;
  }

  function render() {
    var node = bar();
    var notSent = counts.pending + counts.sending;
    var attention = counts.needs_attention;
    var parts = [];
    if (attention) parts.push(plural("1 record needs attention", "%(count)d records need attention", attention));
    if (notSent) parts.push(plural("1 record not sent yet", "%(count)d records not sent yet", notSent));
    if (!parts.length) parts.push(t("All sent"));
    // No line, or the last try got no answer: "Send now" could only fail. The outbox retries by
    // itself (back-off timer, the "online" event, reopening the app).
    var offline = !navigator.onLine;
    var unanswered = !offline && detail.last_error === "network";
    if (notSent && detail.flushing) parts.push(t("Sending…"));
    if (notSent && offline) parts.push(t("Offline: records are kept on this phone"));
    else if (notSent && unanswered && !detail.flushing) parts.push(t(N_("Sending is retried automatically.")));
    if (notSent && detail.login_required) parts.push(t("Log in again to send your records"));
    node.dataset.state = attention ? "attention" : notSent ? "pending" : "ok";
    node.querySelector(".outbox-status__text").textContent = parts.join(" · ");
    node.dataset.pending = String(notSent);
    node.dataset.attention = String(attention);

    var login = node.querySelector(".outbox-status__login");
    login.textContent = t("Log in");
    login.hidden = !(notSent && detail.login_required);
    var send = node.querySelector(".outbox-status__send");
    send.textContent = t("Send now");
    send.hidden = !notSent || offline || unanswered;
    var toggle = node.querySelector(".outbox-status__toggle");
    toggle.hidden = !attention;
    toggle.textContent = expanded ? t("Hide") : t("Show");
    toggle.setAttribute("aria-expanded", String(expanded && !!attention));

    var update = node.querySelector(".outbox-status__update");
    update.hidden = !(waitingWorker || upgradedElsewhere);
    node.querySelector(".outbox-status__update-text").textContent = t("A new version of the app is ready.");
    node.querySelector(".outbox-status__update-button").textContent = t("Update");

    var listNode = node.querySelector(".outbox-status__list");
    listNode.hidden = !(expanded && attention);
    if (!listNode.hidden) renderAttention(listNode); else listNode.textContent = "";
  }

  var CHANNELS = { rally: "Bakfietsrally contact", klus: "Klusactie visit", loket: "Energieloket walk-in", visit: "Home visit" };
  // The API names fields; the volunteer knows them by the form's headings (the field pages' msgids).
  var FIELD_LABELS = {
    street_id: "Street", house_number: "House number", house_addition: "Addition", outcome: "How did the door go?",
    language: "Conversation language", measures: "Measures installed", topics: "Topics", referrals: "Follow-up",
    heard_via: "How did you hear about the energieloket?", partners: "Partners present", notes: "Notes", occurred_at: "When",
  };

  // The server's words arrived in the language of that moment; show them in today's.
  function serverMsgid(text) {
    var i18n = fieldapp.i18n;
    return text && i18n && typeof i18n.msgidFor === "function" ? i18n.msgidFor(text, locale()) : null;
  }

  function serverWords(text) {
    var msgid = serverMsgid(text);
    return msgid ? t(msgid) : text;
  }

  function formatWhen(date) {
    var i18n = fieldapp.i18n;
    return i18n && typeof i18n.formatDateTime === "function" ? i18n.formatDateTime(date) : date.toLocaleString(locale());
  }

  function renderAttention(listNode) {
    outbox.list().then(function (entries) {
      listNode.textContent = "";
      entries.filter(function (e) { return e.status === "needs_attention"; }).forEach(function (e) {
        var item = el("li", "outbox-entry");
        item.dataset.uuid = e.uuid;
        var p = e.payload || {};
        var when = p.occurred_at ? new Date(p.occurred_at) : null;
        var title = (CHANNELS[p.channel] ? t(CHANNELS[p.channel]) : p.channel || "") +
          (p.house_number ? " · " + p.house_number + (p.house_addition ? "-" + p.house_addition : "") : "") +
          (when && !isNaN(when) ? " · " + formatWhen(when) : "");
        item.append(el("strong", "outbox-entry__title", title));
        item.append(el("p", "outbox-entry__message", serverWords(e.message || e.last_error || "")));
        if (e.errors && typeof e.errors === "object") {
          var errs = el("ul", "outbox-entry__errors");
          Object.keys(e.errors).forEach(function (field) {
            var msgs = [].concat(e.errors[field]).map(function (m) { return typeof m === "string" ? serverWords(m) : JSON.stringify(m); });
            errs.append(el("li", null, (FIELD_LABELS[field] ? t(FIELD_LABELS[field]) : field) + ": " + msgs.join(" ")));
          });
          item.append(errs);
        }
        var fixButton = el("button", "outbox-entry__fix", t("Fix"));
        fixButton.type = "button";
        fixButton.addEventListener("click", function () { startFix(e.uuid); });
        var discardButton = el("button", "outbox-entry__discard", t("Discard"));
        discardButton.type = "button";
        discardButton.addEventListener("click", function () {
          if (window.confirm(t("Discard this record? It is not on the server and will be gone for good."))) {
            outbox.discard(e.uuid);
          }
        });
        item.append(fixButton, discardButton);
        listNode.append(item);
      });
    });
  }

  // The form that opens takes the draft (same content, new UUID) and submits it with
  // {replaces: oldUuid}; until then the original stays in the outbox.
  function startFix(uuid) {
    outbox.fix(uuid).then(function (draft) {
      var event = new CustomEvent("fieldapp:outbox-fix", { detail: draft, cancelable: true });
      if (!document.dispatchEvent(event)) return; // a form on this page took it
      sessionStorage.setItem("fieldapp.outbox.fix", JSON.stringify(draft));
      var channel = draft.payload && draft.payload.channel;
      location.href = "/field/forms/" + encodeURIComponent(channel || "rally") + "?fix=" + draft.uuid;
    });
  }

  // A form opened by "Fix" starts from the refused record: same answers, the server's messages
  // beside the fields. outbox.submit() sees the draft and files the result as its correction.
  function prefillFix() {
    var draft;
    try { draft = JSON.parse(sessionStorage.getItem("fieldapp.outbox.fix") || "null"); } catch (e) { return; }
    var form = document.getElementById("record-form");
    if (!draft || !form || new URLSearchParams(location.search).get("fix") !== draft.uuid) return;
    if (form.getAttribute("data-channel") !== draft.payload.channel) return;
    var ready = form.getAttribute("data-ready") === "true" ? Promise.resolve() : new Promise(function (resolve) {
      new MutationObserver(function (changes, observer) {
        if (form.getAttribute("data-ready") === "true") { observer.disconnect(); resolve(); }
      }).observe(form, { attributes: true, attributeFilter: ["data-ready"] });
    });
    ready.then(function () { fillForm(form, draft.payload, draft.errors || {}); });
  }

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function fillForm(form, p, errors) {
    function fire(el, type) { el.dispatchEvent(new Event(type, { bubbles: true })); }
    function set(name, value) {
      var el = form.elements.namedItem(name);
      if (!el || el.length !== undefined && el.tagName !== "SELECT") return;
      value = value === null || value === undefined ? "" : String(value);
      if (el.tagName === "SELECT" && value && !Array.prototype.some.call(el.options, function (o) { return o.value === value; })) {
        el.add(new Option(value, value));
      }
      el.value = value;
      fire(el, "change");
    }
    function choose(name, values) {
      values = [].concat(values || []).map(String);
      form.querySelectorAll('input[name="' + name + '"]').forEach(function (input) {
        if (input.disabled) return;
        input.checked = values.indexOf(input.value) !== -1;
        fire(input, "change");
      });
    }
    set("street_id", p.street_id);
    set("house_number", p.house_number);
    set("house_addition", p.house_addition);
    set("notes", p.notes);
    ["outcome", "language", "heard_via", "topics", "partners"].forEach(function (name) {
      if (p[name] !== undefined) choose(name, p[name]);
    });
    ["taalcoach_present", "ambassador"].forEach(function (name) {
      var box = form.querySelector('input[name="' + name + '"]');
      if (box) { box.checked = !!p[name]; fire(box, "change"); }
    });
    var quantities = {};
    (p.measures || []).forEach(function (m) { quantities[m.code] = m.quantity; });
    form.querySelectorAll('input[name="measure"]').forEach(function (input) {
      input.value = String(quantities[input.getAttribute("data-code")] || 0);
      fire(input, "input");
    });
    var referrals = p.referrals || [];
    choose("referrals", referrals.map(function (r) { return r.code; }));
    if (referrals.length) choose("consent", referrals[0].consent ? "yes" : "no");
    var when = new Date(p.occurred_at);
    var whenInput = form.elements.namedItem("occurred_at");
    if (whenInput && !isNaN(when)) {
      whenInput.value = when.getFullYear() + "-" + pad(when.getMonth() + 1) + "-" + pad(when.getDate()) +
        "T" + pad(when.getHours()) + ":" + pad(when.getMinutes());
    }
    Object.keys(errors).forEach(function (key) {
      var slot = form.querySelector('[data-error-for="' + key + '"]') || form.querySelector('[data-error-for="_form"]');
      if (!slot) return;
      [].concat(errors[key]).forEach(function (message) {
        var msgid = typeof message === "string" ? serverMsgid(message) : null;
        var p = el("p", null, msgid ? t(msgid) : typeof message === "string" ? message : JSON.stringify(message));
        if (msgid) p.setAttribute("data-i18n", msgid); // so a language switch renders it too
        slot.appendChild(p);
      });
    });
  }

  // ---- logout ------------------------------------------------------------------------------

  function unsentMessage(n) {
    return plural("1 record is not sent yet. If you log out now it may be lost. Log out anyway?",
                  "%(count)d records are not sent yet. If you log out now they may be lost. Log out anyway?", n);
  }

  // Resolves true when logging out may go ahead (nothing unsent, or the volunteer said so).
  function confirmLogout() {
    return outbox.counts().then(function (c) {
      var n = c.pending + c.sending + c.needs_attention;
      var ok = n === 0 || window.confirm(unsentMessage(n));
      if (ok) forgetStreets();
      return ok;
    });
  }

  // For pages that announce logout with a cancelable event instead of awaiting confirmLogout().
  document.addEventListener("fieldapp:logout", function (event) {
    if (event.detail && event.detail.confirmed) { forgetStreets(); return; }
    var n = counts.pending + counts.sending + counts.needs_attention;
    if (n && !window.confirm(unsentMessage(n))) event.preventDefault();
    else forgetStreets();
  });

  // ---- service worker, updates, storage ------------------------------------------------------

  function registerWorker() {
    if (!("serviceWorker" in navigator)) return Promise.resolve(null);
    return navigator.serviceWorker.register("/sw.js", { scope: "/" }).then(function (reg) {
      function watch(worker) {
        if (!worker) return;
        worker.addEventListener("statechange", function () {
          if (worker.state === "installed" && navigator.serviceWorker.controller) { waitingWorker = worker; render(); }
        });
      }
      if (reg.waiting && navigator.serviceWorker.controller) waitingWorker = reg.waiting;
      watch(reg.installing);
      reg.addEventListener("updatefound", function () { watch(reg.installing); });
      render();
      return reg;
    }, function () { return null; });
  }

  // The volunteer chose to update: send what can be sent, then let the new worker take over
  // and reload. The outbox lives in IndexedDB, which the new version opens and upgrades.
  function applyUpdate() {
    var reloading = false;
    function reload() { if (!reloading) { reloading = true; location.reload(); } }
    outbox.flush().finally(function () {
      if (!waitingWorker) { reload(); return; }
      navigator.serviceWorker.addEventListener("controllerchange", reload);
      waitingWorker.postMessage({ type: "SKIP_WAITING" });
    });
  }

  function askPersistence() {
    if (!navigator.storage || !navigator.storage.persist) return Promise.resolve(false);
    return navigator.storage.persisted().then(function (already) {
      return already || navigator.storage.persist();
    }).then(function (granted) { fieldapp.offline.persisted = !!granted; return granted; }, function () { return false; });
  }

  function session() {
    if (fieldapp.session && typeof fieldapp.session.get === "function") return fieldapp.session.get();
    try { return JSON.parse(localStorage.getItem("fieldapp.session")); } catch (e) { return null; }
  }

  // The worker keeps the latest street list (network-first), so streets "near me" work offline.
  function refreshStreets() {
    var s = session();
    if (!s || !s.token || !navigator.onLine) return Promise.resolve(false);
    var last = Number(localStorage.getItem("fieldapp.offline.streets_at") || 0);
    if (Date.now() - last < STREETS_EVERY_MS) return Promise.resolve(false);
    return fetch(STREETS_URL, { headers: { "Authorization": "Bearer " + s.token, "Accept": "application/json" } })
      .then(function (r) {
        if (r.ok) localStorage.setItem("fieldapp.offline.streets_at", String(Date.now()));
        return r.ok;
      }, function () { return false; });
  }

  function forgetStreets() {
    localStorage.removeItem("fieldapp.offline.streets_at");
    if (window.caches) caches.delete("fieldapp-runtime");
  }

  // ---- wiring ------------------------------------------------------------------------------

  document.addEventListener("fieldapp:outbox", function (event) {
    detail = event.detail || {};
    counts = detail;
    render();
  });
  document.addEventListener("fieldapp:outbox-upgraded", function () { upgradedElsewhere = true; render(); });
  document.addEventListener("fieldapp:locale", function () { loadStrings(locale()).then(render); });
  function loggedIn() {
    localStorage.removeItem("fieldapp.offline.streets_at");
    refreshStreets();
  }
  document.addEventListener("fieldapp:login", loggedIn);
  document.addEventListener("fieldapp:session", function (event) {
    if (event.detail && event.detail.session) loggedIn();
  });
  window.addEventListener("online", render);
  window.addEventListener("offline", render);

  fieldapp.offline = {
    t: t,
    confirmLogout: confirmLogout,
    refreshStreets: refreshStreets,
    persisted: false,
    ready: null,
  };
  outbox.confirmLogout = confirmLogout;
  outbox.beforeLogout = confirmLogout; // the name the home screen's logout button calls

  function start() {
    ensureStylesheet();
    render();
    prefillFix();
    fieldapp.offline.ready = Promise.all([
      loadStrings(locale()).then(render),
      fieldapp.i18n && fieldapp.i18n.ready ? Promise.resolve(fieldapp.i18n.ready).then(render) : null,
      registerWorker().then(function (reg) {
        if (!reg) return refreshStreets();
        // The street list must pass through the worker to be kept; on a first visit wait
        // until the new worker has claimed this page.
        if (navigator.serviceWorker.controller) return refreshStreets();
        return new Promise(function (resolve) {
          navigator.serviceWorker.addEventListener("controllerchange", function () { resolve(refreshStreets()); }, { once: true });
        });
      }),
      askPersistence(),
      outbox.counts().then(function (c) { counts = c; render(); }),
    ]);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
