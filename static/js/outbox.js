/* fieldapp outbox: the phone's record of truth for records not yet on the server.
 *
 * Every record is written to IndexedDB before any attempt to send it, and leaves the
 * "not sent" state only on a 2xx from PUT /api/v1/records/<uuid>. The server's PUT is
 * idempotent (201 first time, 200 for an identical retry), so re-sending after a lost
 * acknowledgement is safe — which is also why a payload never changes once stored: a
 * correction is a new record under a new UUID.
 *
 * The service worker never touches this database; only pages do, so an app update cannot
 * strand the entries. Locks (navigator.locks, or a lease row in IndexedDB where locks are
 * missing) keep two open tabs from sending the same entry at once.
 */
(function () {
  "use strict";

  var fieldapp = (window.fieldapp = window.fieldapp || {});
  var DB_NAME = "fieldapp-outbox";
  // v1: the outbox store. v2: a status index and the lease store for browsers without
  // navigator.locks. Each step only adds, so entries written by any older version stay readable.
  var DB_VERSION = 2;
  var ENTRY_FORMAT = 2;
  var SENT_KEEP_MS = 24 * 3600 * 1000; // sent entries stay a day for "my recent records"
  var SEND_TIMEOUT_MS = 30000;
  var BATCH_SIZE = 50;
  var LEASE_MS = 60000;
  var BACKOFF_MIN_MS = 5000;
  var BACKOFF_MAX_MS = 5 * 60000;
  var TAB_ID = Math.random().toString(36).slice(2) + Date.now().toString(36);
  var UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

  var dbPromise = null;
  var lastCounts = { pending: 0, sending: 0, needs_attention: 0, sent: 0 };
  var state = { loginRequired: false, online: navigator.onLine, flushing: false, failures: 0, lastError: null };
  var timer = null;

  // ---- IndexedDB -------------------------------------------------------------------------

  function upgrade(db, oldVersion, tx) {
    if (oldVersion < 1) {
      db.createObjectStore("outbox", { keyPath: "uuid" });
    }
    if (oldVersion < 2) {
      tx.objectStore("outbox").createIndex("by_status", "status");
      db.createObjectStore("leases", { keyPath: "name" });
    }
  }

  function openDb() {
    if (dbPromise) return dbPromise;
    dbPromise = new Promise(function (resolve, reject) {
      var request = indexedDB.open(DB_NAME, DB_VERSION);
      request.onupgradeneeded = function (event) {
        upgrade(request.result, event.oldVersion, request.transaction);
      };
      request.onsuccess = function () {
        var db = request.result;
        // A newer app version in another tab wants to upgrade: step aside, then tell the page.
        db.onversionchange = function () {
          db.close();
          dbPromise = null;
          document.dispatchEvent(new CustomEvent("fieldapp:outbox-upgraded"));
        };
        resolve(db);
      };
      request.onerror = function () { dbPromise = null; reject(request.error); };
      request.onblocked = function () { /* waits until the old tab closes its connection */ };
    });
    return dbPromise;
  }

  // durability "strict": the transaction is on disk when it completes (a record must survive a
  // dead battery the moment the form says "saved"). Browsers that do not know the option ignore it.
  function tx(stores, mode, work, durability) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var t = durability ? db.transaction(stores, mode, { durability: durability }) : db.transaction(stores, mode);
        var result;
        t.oncomplete = function () { resolve(result); };
        t.onerror = function () { reject(t.error); };
        t.onabort = function () { reject(t.error || new Error("transaction aborted")); };
        work(t, function (value) { result = value; });
      });
    });
  }

  function req(request, then) {
    request.onsuccess = function () { then(request.result); };
  }

  // Entries written by an older version lack newer fields; fill them in when read.
  function normalise(entry) {
    if (!entry) return entry;
    if (entry.attempts === undefined) entry.attempts = 0;
    if (entry.last_error === undefined) entry.last_error = null;
    if (!entry.created_at) entry.created_at = Date.now();
    if (entry.errors === undefined) entry.errors = null;
    if (entry.owner === undefined) entry.owner = null;
    entry.format = ENTRY_FORMAT;
    return entry;
  }

  function getEntry(uuid) {
    return tx(["outbox"], "readonly", function (t, done) {
      req(t.objectStore("outbox").get(uuid), function (e) { done(normalise(e)); });
    });
  }

  function allEntries() {
    return tx(["outbox"], "readonly", function (t, done) {
      req(t.objectStore("outbox").getAll(), function (rows) {
        rows = rows.map(normalise);
        rows.sort(function (a, b) { return a.created_at - b.created_at; });
        done(rows);
      });
    });
  }

  function pendingEntries() {
    return tx(["outbox"], "readonly", function (t, done) {
      req(t.objectStore("outbox").index("by_status").getAll("pending"), function (rows) {
        rows = rows.map(normalise);
        rows.sort(function (a, b) { return a.created_at - b.created_at; });
        done(rows);
      });
    });
  }

  // Read-modify-write of one entry inside one transaction; `change` returns false to skip.
  function updateEntry(uuid, change) {
    return tx(["outbox"], "readwrite", function (t, done) {
      var store = t.objectStore("outbox");
      req(store.get(uuid), function (entry) {
        entry = normalise(entry);
        if (!entry || change(entry) === false) { done(null); return; }
        entry.updated_at = Date.now();
        store.put(entry);
        done(entry);
      });
    });
  }

  // ---- session and language (from the field pages, with fallbacks) -----------------------

  function session() {
    if (fieldapp.session && typeof fieldapp.session.get === "function") return fieldapp.session.get();
    try { return JSON.parse(localStorage.getItem("fieldapp.session")); } catch (e) { return null; }
  }

  function sessionUser(s) {
    if (!s || !s.user) return null;
    return typeof s.user === "string" ? s.user : s.user.username || null;
  }

  function locale() {
    return (fieldapp.i18n && fieldapp.i18n.locale) || document.documentElement.lang || "nl";
  }

  function sameJson(a, b) { return JSON.stringify(a) === JSON.stringify(b); }

  // ---- locks -------------------------------------------------------------------------------

  // Runs fn() while holding `name` across all tabs; resolves to undefined without running fn
  // when the lock is taken elsewhere (we never wait: the holder will do the work).
  function withLock(name, fn) {
    if (navigator.locks && navigator.locks.request) {
      return navigator.locks.request(name, { ifAvailable: true }, function (lock) {
        return lock ? Promise.resolve().then(fn).then(function (v) { return { ran: true, value: v }; })
                    : { ran: false };
      });
    }
    return claimLease(name).then(function (claimed) {
      if (!claimed) return { ran: false };
      return Promise.resolve().then(fn).then(
        function (v) { return releaseLease(name).then(function () { return { ran: true, value: v }; }); },
        function (err) { return releaseLease(name).then(function () { throw err; }); });
    });
  }

  function claimLease(name) {
    return tx(["leases"], "readwrite", function (t, done) {
      var store = t.objectStore("leases");
      req(store.get(name), function (lease) {
        if (lease && lease.owner !== TAB_ID && lease.until > Date.now()) { done(false); return; }
        store.put({ name: name, owner: TAB_ID, until: Date.now() + LEASE_MS });
        done(true);
      });
    });
  }

  function releaseLease(name) {
    return tx(["leases"], "readwrite", function (t) {
      var store = t.objectStore("leases");
      req(store.get(name), function (lease) { if (lease && lease.owner === TAB_ID) store.delete(name); });
    });
  }

  // ---- counts and events -------------------------------------------------------------------

  // Index counts: cheap enough to run after every send, whatever the outbox's size.
  function counts() {
    return tx(["outbox"], "readonly", function (t, done) {
      var index = t.objectStore("outbox").index("by_status");
      var c = { pending: 0, sending: 0, needs_attention: 0, sent: 0 };
      Object.keys(c).forEach(function (status) {
        req(index.count(status), function (n) { c[status] = n; });
      });
      done(c);
    });
  }

  function announce() {
    return counts().then(function (c) {
      lastCounts = c;
      var detail = Object.assign({}, c, {
        login_required: state.loginRequired, online: state.online,
        flushing: state.flushing, last_error: state.lastError,
      });
      document.dispatchEvent(new CustomEvent("fieldapp:outbox", { detail: detail }));
      return c;
    });
  }

  // ---- sending -----------------------------------------------------------------------------

  function readError(response) {
    return response.json().then(
      function (body) { return { message: body && body.message, errors: body && body.errors }; },
      function () { return { message: null, errors: null }; });
  }

  function put(entry, token) {
    var controller = typeof AbortController === "function" ? new AbortController() : null;
    var timeout = controller ? setTimeout(function () { controller.abort(); }, SEND_TIMEOUT_MS) : null;
    return fetch("/api/v1/records/" + entry.uuid, {
      method: "PUT",
      headers: {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "Accept-Language": locale(),
        "Authorization": "Bearer " + token,
      },
      body: JSON.stringify(entry.payload),
      credentials: "omit", // bearer only: an expired CSRF token or cookie can never block replay
      cache: "no-store",
      signal: controller ? controller.signal : undefined,
    }).finally(function () { if (timeout) clearTimeout(timeout); });
  }

  // One attempt for one entry. Resolves to {status, errors?, message?, retry?: "network"|"auth"|"server"}.
  function attempt(uuid) {
    var s = session();
    if (!s || !s.token) {
      state.loginRequired = true;
      return Promise.resolve({ status: "pending", retry: "auth" });
    }
    var me = sessionUser(s);
    return withLock("fieldapp-outbox:" + uuid, function () {
      var entry;
      return updateEntry(uuid, function (e) {
        if (e.status !== "pending") return false;
        if (e.owner && me && e.owner !== me) return false; // another volunteer's record waits for them
        e.status = "sending";
        e.attempts += 1;
        e.last_attempt_at = Date.now();
      }).then(function (marked) {
        if (!marked) return null;
        entry = marked;
        announce();
        return put(entry, s.token).then(function (response) {
          return handleResponse(entry, response);
        }, function (err) {
          return settle(uuid, "pending", navigator.onLine ? "network: " + (err && err.message) : "offline")
            .then(function () { return { status: "pending", retry: "network" }; });
        });
      });
    }).then(function (outcome) {
      if (!outcome.ran || !outcome.value) return getEntry(uuid).then(function (e) { return { status: e ? e.status : "unknown" }; });
      return outcome.value;
    });
  }

  function settle(uuid, status, lastError, extra) {
    return updateEntry(uuid, function (e) {
      e.status = status;
      e.last_error = lastError;
      if (extra) Object.assign(e, extra);
    });
  }

  function handleResponse(entry, response) {
    var code = response.status;
    if (code === 200 || code === 201) {
      state.loginRequired = false;
      return settle(entry.uuid, "sent", null, { sent_at: Date.now(), http_status: code, errors: null })
        .then(function () { return { status: "sent" }; });
    }
    if (code === 401 || code === 403) {
      state.loginRequired = true;
      return readError(response).then(function (body) {
        return settle(entry.uuid, "pending", "login: " + (body.message || code), { http_status: code })
          .then(function () { return { status: "pending", retry: "auth", message: body.message }; });
      });
    }
    if (code === 408 || code === 425 || code === 429 || code >= 500) {
      return settle(entry.uuid, "pending", "server: " + code, { http_status: code })
        .then(function () { return { status: "pending", retry: "server" }; });
    }
    // 409, 422 and every other refusal: the server will never take this body. Keep it, show it.
    return readError(response).then(function (body) {
      return settle(entry.uuid, "needs_attention", body.message || String(code),
                    { http_status: code, errors: body.errors || null, message: body.message || null })
        .then(function () {
          return { status: "needs_attention", message: body.message, errors: body.errors };
        });
    });
  }

  // Several entries in one POST /api/v1/records/batch. Only the flush-lock holder calls this;
  // claiming pending -> sending happens in one IndexedDB transaction, so an entry a form is
  // sending at this moment (status already "sending") is left out.
  function sendBatch(entries) {
    var s = session();
    if (!s || !s.token) { state.loginRequired = true; return Promise.resolve({ retry: "auth" }); }
    var now = Date.now();
    return tx(["outbox"], "readwrite", function (t, done) {
      var store = t.objectStore("outbox");
      var claimed = [];
      entries.forEach(function (item) {
        req(store.get(item.uuid), function (e) {
          e = normalise(e);
          if (!e || e.status !== "pending") return;
          e.status = "sending";
          e.attempts += 1;
          e.last_attempt_at = now;
          e.updated_at = now;
          store.put(e);
          claimed.push(e);
        });
      });
      done(claimed);
    }).then(function (claimed) {
      if (!claimed.length) return {};
      announce();
      return postBatch(claimed, s.token).then(function (response) {
        return handleBatch(claimed, response);
      }, function (err) {
        return settleAll(claimed, function (e) { e.status = "pending"; e.last_error = navigator.onLine ? "network: " + (err && err.message) : "offline"; })
          .then(function () { return { retry: "network" }; });
      });
    });
  }

  function postBatch(entries, token) {
    var controller = typeof AbortController === "function" ? new AbortController() : null;
    var timeout = controller ? setTimeout(function () { controller.abort(); }, SEND_TIMEOUT_MS) : null;
    return fetch("/api/v1/records/batch", {
      method: "POST",
      headers: {
        "Content-Type": "application/json", "Accept": "application/json",
        "Accept-Language": locale(), "Authorization": "Bearer " + token,
      },
      body: JSON.stringify({ records: entries.map(function (e) { return e.payload; }) }),
      credentials: "omit",
      cache: "no-store",
      signal: controller ? controller.signal : undefined,
    }).finally(function () { if (timeout) clearTimeout(timeout); });
  }

  function settleAll(entries, change) {
    return tx(["outbox"], "readwrite", function (t) {
      var store = t.objectStore("outbox");
      entries.forEach(function (item) {
        req(store.get(item.uuid), function (e) {
          e = normalise(e);
          if (!e || e.status !== "sending") return;
          change(e);
          e.updated_at = Date.now();
          store.put(e);
        });
      });
    });
  }

  function handleBatch(entries, response) {
    var code = response.status;
    if (code === 401 || code === 403) {
      state.loginRequired = true;
      return settleAll(entries, function (e) { e.status = "pending"; e.last_error = "login: " + code; })
        .then(function () { return { retry: "auth" }; });
    }
    if (code === 408 || code === 425 || code === 429 || code >= 500) {
      return settleAll(entries, function (e) { e.status = "pending"; e.last_error = "server: " + code; })
        .then(function () { return { retry: "server" }; });
    }
    var put_back = function (e) { e.status = "pending"; e.attempts = Math.max(0, e.attempts - 1); };
    if (code !== 200) {
      // No batch endpoint, or it refused the envelope: let each record get its own answer.
      return settleAll(entries, put_back).then(function () { return { fallback: true }; });
    }
    return response.json().then(function (body) {
      var results = {};
      ((body && body.results) || []).forEach(function (r) { results[String(r.id).toLowerCase()] = r; });
      state.loginRequired = false;
      return settleAll(entries, function (e) {
        var r = results[e.uuid];
        if (!r) { e.status = "pending"; e.last_error = "no answer in batch"; return; }
        if (r.status === "created" || r.status === "duplicate") {
          e.status = "sent"; e.sent_at = Date.now(); e.http_status = r.status === "created" ? 201 : 200;
          e.last_error = null; e.errors = null;
        } else if (r.status === "conflict") {
          e.status = "needs_attention"; e.http_status = 409; e.errors = null;
          e.message = e.last_error = serverText("This record was already sent with different content.");
        } else {
          e.status = "needs_attention"; e.http_status = 422; e.errors = r.errors || null;
          e.message = e.last_error = serverText("Some fields need attention.");
        }
      }).then(function () { return {}; });
    }, function () {
      return settleAll(entries, put_back).then(function () { return { fallback: true }; });
    });
  }

  // The batch answers per item without a sentence; these are the server's own msgids for the
  // single-record answers (409 and 422), in the phone's current language.
  function serverText(msgid) {
    return fieldapp.i18n && typeof fieldapp.i18n.t === "function" ? fieldapp.i18n.t(msgid) : msgid;
  }

  // Sends every pending entry of the signed-in user, oldest first; one flush at a time across tabs.
  // A flush asked for while one runs in this tab joins it, and one more round follows, so
  // entries submitted meanwhile are not left for the timer.
  var running = null;
  var again = false;
  // flush({batch: false}) sends one PUT per record (the benchmark compares both).
  function flush(options) {
    if (running) { again = true; return running; }
    var batch = !(options && options.batch === false);
    running = (function loop() {
      again = false;
      return flushOnce(batch).then(function (c) { return again ? loop() : c; });
    })().finally(function () { running = null; });
    return running;
  }

  function flushOnce(batch) {
    return withLock("fieldapp-outbox-flush", function () {
      state.flushing = true;
      var tried = {};
      var me = sessionUser(session());
      var useBatch = batch;
      // Oldest first; entries submitted meanwhile are picked up by the next round. A backlog
      // goes in batches (one request per BATCH_SIZE records: hundreds of phones reconnecting
      // after an event must not cost the server a request per record); one record goes alone.
      function round() {
        if (!(navigator.locks && navigator.locks.request)) claimLease("fieldapp-outbox-flush"); // renew
        return pendingEntries().then(function (rows) {
          var queue = rows.filter(function (e) { return !tried[e.uuid] && (!e.owner || !me || e.owner === me); });
          if (!queue.length) return null;
          if (useBatch && queue.length > 1) {
            var chunk = queue.slice(0, BATCH_SIZE);
            return sendBatch(chunk).then(function (result) {
              if (result.fallback) { useBatch = false; return round(); }
              chunk.forEach(function (e) { tried[e.uuid] = true; });
              return result.retry ? result : round();
            });
          }
          return (function next(i) {
            if (i >= queue.length) return round();
            tried[queue[i].uuid] = true;
            return attempt(queue[i].uuid).then(function (result) {
              if (result.retry) return result; // offline, logged out or server trouble: back off
              return next(i + 1);
            });
          })(0);
        });
      }
      return recoverStuck().then(announce).then(round);
    }).then(function (outcome) {
      state.flushing = false;
      var result = outcome && outcome.value;
      if (outcome && outcome.ran) afterFlush(result);
      return announce();
    }, function (err) {
      state.flushing = false;
      state.lastError = String(err);
      if (window.console) console.error("fieldapp outbox: flush failed", err);
      schedule();
      return announce();
    });
  }

  function afterFlush(stoppedOn) {
    if (stoppedOn && stoppedOn.retry) {
      state.failures += 1;
      state.lastError = stoppedOn.retry;
    } else {
      state.failures = 0;
      state.lastError = null;
    }
    schedule();
  }

  // A "sending" entry whose lock nobody holds was cut off mid-send (tab closed, battery died).
  // Putting it back is safe: the server answers the re-send with 200 if it already has it.
  function recoverStuck() {
    return allEntries().then(function (rows) {
      var stuck = rows.filter(function (e) { return e.status === "sending"; });
      return Promise.all(stuck.map(function (e) {
        return withLock("fieldapp-outbox:" + e.uuid, function () {
          return updateEntry(e.uuid, function (x) {
            if (x.status !== "sending") return false;
            x.status = "pending";
            x.last_error = "interrupted";
          });
        });
      }));
    }).then(pruneSent);
  }

  function pruneSent() {
    var cutoff = Date.now() - SENT_KEEP_MS;
    return tx(["outbox"], "readwrite", function (t) {
      var store = t.objectStore("outbox");
      req(store.getAll(), function (rows) {
        rows.forEach(function (e) {
          var done = e.status === "sent" ? e.sent_at : (e.status === "replaced" || e.status === "discarded") ? e.updated_at : null;
          if (done !== null && (done || 0) < cutoff) store.delete(e.uuid);
        });
      });
    });
  }

  function schedule() {
    if (timer) clearTimeout(timer);
    timer = null;
    if (lastCounts.pending + lastCounts.sending === 0 && !state.failures) return;
    var delay = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * Math.pow(2, Math.max(0, state.failures - 1)));
    delay = delay * (0.75 + Math.random() * 0.5); // jitter: a hundred phones must not retry in step
    timer = setTimeout(function () { timer = null; flush(); }, delay);
  }

  // ---- the public API ----------------------------------------------------------------------

  function withoutId(payload) {
    var copy = {};
    Object.keys(payload || {}).forEach(function (k) { if (k !== "id") copy[k] = payload[k]; });
    return copy;
  }

  // Stores the record (the moment this resolves it is safe on the phone), then tries once.
  // Re-submitting a UUID: the same body is a double tap and changes nothing; a new body for a
  // record the server refused is a correction and becomes a NEW record under a new UUID, with
  // the original kept as a tombstone so its UUID can never carry another body.
  // The "Fix" button opens a form with ?fix=<draft uuid> and leaves the draft in
  // sessionStorage; the form's next submit is that correction.
  var FIX_KEY = "fieldapp.outbox.fix";
  function activeFix() {
    try {
      var draft = JSON.parse(sessionStorage.getItem(FIX_KEY) || "null");
      var wanted = new URLSearchParams(location.search).get("fix");
      return draft && wanted && draft.uuid === wanted ? draft : null;
    } catch (e) { return null; }
  }

  function submit(uuid, payload, options) {
    options = Object.assign({}, options);
    var fixing = options.replaces ? null : activeFix();
    if (fixing) options.replaces = fixing.replaces;
    if (!UUID_RE.test(String(uuid))) return Promise.reject(new Error("submit: not a UUID: " + uuid));
    uuid = String(uuid).toLowerCase();
    var stored = withoutId(JSON.parse(JSON.stringify(payload))); // a plain, frozen-in-time copy
    var conflict = false;
    return tx(["outbox"], "readwrite", function (t, done) {
      var store = t.objectStore("outbox");
      function create(id, replaces) {
        var entry = normalise({
          uuid: id, payload: Object.assign({ id: id }, stored), status: "pending", attempts: 0,
          last_error: null, created_at: Date.now(), owner: sessionUser(session()), replaces: replaces || null,
        });
        store.add(entry);
        done(entry);
      }
      function retire(old, byId) {
        old.status = "replaced";
        old.replaced_by = byId;
        old.updated_at = Date.now();
        store.put(old);
      }
      function follow(id, isRoot) {
        req(store.get(id), function (existing) {
          if (!existing) { create(isRoot ? id : newUuid(), null); return; }
          existing = normalise(existing);
          if (existing.status === "replaced" && existing.replaced_by) { follow(existing.replaced_by, false); return; }
          if (existing.status === "discarded") { create(newUuid(), null); return; }
          if (sameJson(withoutId(existing.payload), stored)) {
            // Sending the same body again on purpose (say after the volunteer got back access to
            // the street) is a new try; otherwise it is a double tap and changes nothing.
            if (existing.status === "needs_attention") {
              existing.status = "pending";
              existing.updated_at = Date.now();
              store.put(existing);
            }
            done(existing);
            return;
          }
          if (existing.status === "pending" && existing.attempts === 0) {
            existing.payload = Object.assign({ id: existing.uuid }, stored); // never tried: still only ours
            existing.updated_at = Date.now();
            store.put(existing);
            done(existing);
            return;
          }
          if (existing.status === "needs_attention") {
            var fresh = newUuid();
            retire(existing, fresh);
            create(fresh, existing.uuid);
            return;
          }
          conflict = true;
          done(existing);
        });
      }
      if (options.replaces) {
        // An explicit fix (see fix()): the new entry and the tombstone land in one transaction.
        req(store.get(String(options.replaces).toLowerCase()), function (old) {
          if (old && old.status === "needs_attention") retire(normalise(old), uuid);
          follow(uuid, true);
        });
      } else {
        follow(uuid, true);
      }
    }, "strict").then(function (entry) {
      if (fixing && !conflict) sessionStorage.removeItem(FIX_KEY);
      if (conflict) throw new Error("submit: this UUID was sent with another payload; a correction needs a new UUID");
      return announce().then(function () {
        if (entry.status !== "pending") return { status: publicStatus(entry.status), uuid: entry.uuid };
        if (!navigator.onLine) return { status: "pending", uuid: entry.uuid };
        return attempt(entry.uuid).then(function (result) {
          // What this try learnt about the line is the latest news: the status bar reads it.
          if (result.retry) {
            state.failures = Math.max(state.failures, 1);
            state.lastError = result.retry;
          } else if (result.status === "sent" || result.status === "needs_attention") {
            state.failures = 0;
            state.lastError = null;
          }
          schedule();
          return announce().then(function () {
            var out = { status: publicStatus(result.status), uuid: entry.uuid };
            if (result.retry) out.retry = result.retry;
            if (result.errors) out.errors = result.errors;
            if (result.message) out.message = result.message;
            return out;
          });
        });
      });
    });
  }

  // The form only needs to know: on the server, kept to send later, or needs the volunteer.
  function publicStatus(status) { return status === "sending" ? "pending" : status; }

  var TOMBSTONES = { replaced: true, discarded: true };

  function list() {
    return allEntries().then(function (rows) { return rows.filter(function (e) { return !TOMBSTONES[e.status]; }); });
  }

  // Deliberate only: the caller has asked the volunteer. The body goes; a tombstone keeps the
  // UUID from ever being used again. Sent and in-flight entries cannot be discarded.
  function discard(uuid) {
    return updateEntry(String(uuid).toLowerCase(), function (e) {
      if (e.status !== "pending" && e.status !== "needs_attention") return false;
      e.status = "discarded";
      e.payload = null;
      e.errors = null;
    }).then(function (entry) { return announce().then(function () { return !!entry; }); });
  }

  // A draft for correcting a refused record: same content, NEW uuid. Submitting it with
  // {replaces: oldUuid} removes the original in the same transaction.
  function fix(oldUuid) {
    return getEntry(oldUuid).then(function (e) {
      if (!e) throw new Error("fix: no such entry " + oldUuid);
      var payload = JSON.parse(JSON.stringify(e.payload));
      var uuid = newUuid();
      payload.id = uuid;
      return { uuid: uuid, payload: payload, replaces: e.uuid, errors: e.errors, message: e.message || e.last_error };
    });
  }

  function newUuid() {
    if (crypto.randomUUID) return crypto.randomUUID();
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function unsent(c) { return (c || lastCounts).pending + (c || lastCounts).sending + (c || lastCounts).needs_attention; }

  // ---- start-up and replay triggers --------------------------------------------------------

  function start() {
    window.addEventListener("online", function () { state.online = true; state.failures = 0; flush(); });
    window.addEventListener("offline", function () { state.online = false; announce(); });
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "visible") flush();
    });
    // A fresh login (the field pages announce it) may unblock entries waiting for a token.
    document.addEventListener("fieldapp:login", function () { state.loginRequired = false; flush(); });
    document.addEventListener("fieldapp:session", function (event) {
      if (event.detail && event.detail.session) { state.loginRequired = false; flush(); }
    });
    return flush();
  }

  fieldapp.outbox = {
    submit: submit,
    flush: flush,
    list: list,
    counts: counts,
    discard: discard,
    fix: fix,
    newUuid: newUuid,
    unsent: function () { return counts().then(unsent); },
    // What the home screen shows as "not sent yet".
    pendingCount: function () { return counts().then(function (c) { return c.pending + c.sending; }); },
    lastCounts: function () { return Object.assign({}, lastCounts); },
    state: function () { return Object.assign({}, state); },
    ready: null,
    DB_NAME: DB_NAME,
    DB_VERSION: DB_VERSION,
  };
  fieldapp.outbox.ready = start();
})();
