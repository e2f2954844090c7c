/* Home: who is signed in, streets near me (or by name), my recent records, what is not sent yet. */
(function () {
  "use strict";
  var fieldapp = window.fieldapp;
  var session = fieldapp.api.requireSession();
  if (!session) return;
  var i18n = fieldapp.i18n;
  var $ = function (id) { return document.getElementById(id); };
  var codes = null;

  function say(el, msgid, params) {
    el.setAttribute("data-i18n", msgid);
    if (params) el.setAttribute("data-i18n-params", JSON.stringify(params));
    else el.removeAttribute("data-i18n-params");
    el.textContent = i18n.t(msgid, params);
  }

  say($("whoami"), N_("Logged in as %(username)s"), { username: session.user.username });

  $("logout").addEventListener("click", function () {
    var ask = fieldapp.outbox && typeof fieldapp.outbox.beforeLogout === "function"
      ? Promise.resolve(fieldapp.outbox.beforeLogout()) : Promise.resolve(true);
    ask.then(function (ok) {
      if (ok === false) return;
      fieldapp.session.clear();
      location.assign("/field/login");
    });
  });

  // --- streets -------------------------------------------------------------------------------
  function showChosen() {
    var chosen = fieldapp.store.chosenStreet();
    $("chosen-street").hidden = !chosen;
    if (chosen) $("chosen-street-name").textContent = chosen.name;
  }

  function formatDistance(metres) {
    var n = new Intl.NumberFormat(i18n.locale, { maximumFractionDigits: 0 }).format(metres);
    return i18n.t(N_("%(distance)s m"), { distance: n });
  }

  function renderStreets(streets) {
    var list = $("street-list");
    list.textContent = "";
    var chosen = fieldapp.store.chosenStreet();
    streets.forEach(function (street) {
      var li = document.createElement("li");
      var button = document.createElement("button");
      button.type = "button";
      button.className = "street-choice";
      button.setAttribute("aria-pressed", chosen && chosen.id === street.id ? "true" : "false");
      var name = document.createElement("span");
      name.textContent = street.name;
      button.appendChild(name);
      if (street.distance_m !== null && street.distance_m !== undefined) {
        var d = document.createElement("span");
        d.className = "distance";
        d.setAttribute("data-distance", String(street.distance_m));
        d.textContent = formatDistance(street.distance_m);
        button.appendChild(d);
      }
      button.addEventListener("click", function () {
        fieldapp.store.chooseStreet(street);
        list.querySelectorAll(".street-choice").forEach(function (b) { b.setAttribute("aria-pressed", "false"); });
        button.setAttribute("aria-pressed", "true");
        showChosen();
      });
      li.appendChild(button);
      list.appendChild(li);
    });
    if (!streets.length) say($("streets-message"), N_("No streets found."));
  }

  function loadStreets(query) {
    say($("streets-message"), N_("Loading…"));
    return fieldapp.api.request("GET", "/api/v1/streets?" + query).then(function (r) {
      $("streets-message").textContent = "";
      $("streets-message").removeAttribute("data-i18n");
      if (!r.ok) { say($("streets-message"), N_("Could not load the streets.")); return; }
      renderStreets(r.data.streets);
      // Near-me: the nearest street is the likely one; preselect it for the next form.
      if (/near=/.test(query) && r.data.streets.length) {
        fieldapp.store.chooseStreet(r.data.streets[0]);
        renderStreets(r.data.streets);
        showChosen();
      }
    }, function () {
      var cached = fieldapp.store.streets();
      var q = (new URLSearchParams(query).get("q") || "").toLowerCase();
      renderStreets(cached.filter(function (s) { return !q || s.name.toLowerCase().indexOf(q) >= 0; }).slice(0, 10));
      say($("streets-message"), N_("Offline: showing saved streets."));
    });
  }

  function locate() {
    if (!navigator.geolocation) { say($("streets-message"), N_("Location is not available. Search by name.")); return; }
    say($("streets-message"), N_("Finding your location…"));
    navigator.geolocation.getCurrentPosition(function (pos) {
      loadStreets("near=" + pos.coords.latitude.toFixed(5) + "," + pos.coords.longitude.toFixed(5) + "&limit=5");
    }, function () {
      say($("streets-message"), N_("Location is not available. Search by name."));
      $("street-q").focus();
    }, { enableHighAccuracy: true, timeout: 10000, maximumAge: 60000 });
  }

  $("locate").addEventListener("click", locate);
  $("street-search").addEventListener("submit", function (event) {
    event.preventDefault();
    loadStreets("q=" + encodeURIComponent($("street-q").value.trim()) + "&limit=10");
  });

  // --- recent records ------------------------------------------------------------------------
  function channelMsgid(code) {
    var row = codes && codes.channels.filter(function (c) { return c.code === code; })[0];
    return row ? row.msgid : code;
  }

  function streetName(id) {
    var s = fieldapp.store.streets().filter(function (x) { return x.id === id; })[0];
    return s ? s.name : "#" + id;
  }

  function formatWhen(iso) { return i18n.formatDateTime(new Date(iso)); }

  /** One line per record: channel, street and house number, local time (on the server or still on the phone). */
  function recordItem(record) {
    var li = document.createElement("li");
    var what = document.createElement("span");
    what.className = "what";
    what.setAttribute("data-i18n", channelMsgid(record.channel));
    what.textContent = i18n.t(channelMsgid(record.channel));
    var where = document.createElement("span");
    where.className = "where";
    where.textContent = streetName(record.street_id) + (record.house_number ? " " + record.house_number + (record.house_addition ? "-" + record.house_addition : "") : "");
    var when = document.createElement("time");
    when.dateTime = record.occurred_at;
    when.setAttribute("data-when", record.occurred_at);
    when.textContent = formatWhen(record.occurred_at);
    li.appendChild(what); li.appendChild(where); li.appendChild(when);
    return li;
  }

  function renderRecent(records) {
    var list = $("recent-list");
    list.textContent = "";
    records.forEach(function (record) { list.appendChild(recordItem(record)); });
    if (!records.length) say($("recent-message"), N_("No records yet."));
  }

  function loadRecent() {
    fieldapp.api.request("GET", "/api/v1/records?limit=10").then(function (r) {
      if (r.status === 401) { location.replace(fieldapp.api.loginUrl()); return; }
      if (r.ok) renderRecent(r.data.records);
    }, function () { say($("recent-message"), N_("Offline: recent records are shown when you are online.")); });
  }

  // --- not sent yet: the volunteer's records still on this phone, newest first ------------------
  // (How many there are is the status bar's to say: one place, one wording.)
  var unsentAsked = 0;
  function renderUnsent(entries) {
    var list = $("unsent-list");
    list.textContent = "";
    entries.forEach(function (entry) {
      var li = recordItem(entry.payload);
      li.setAttribute("data-uuid", entry.uuid);
      list.insertBefore(li, list.firstChild);
    });
    $("unsent").hidden = !entries.length;
  }

  function refreshUnsent() {
    var outbox = fieldapp.outbox;
    if (!outbox || typeof outbox.list !== "function") return;
    var asked = ++unsentAsked;
    outbox.list().then(function (entries) {
      if (asked !== unsentAsked) return; // a later answer is on its way
      renderUnsent(entries.filter(function (e) {
        var mine = !e.owner || e.owner === session.user.username; // a shared phone shows each their own
        return mine && e.payload && (e.status === "pending" || e.status === "sending");
      }));
    }, function () { /* no outbox database: nothing to list */ });
  }
  say($("unsent-heading"), N_("Not sent yet"));
  document.addEventListener("fieldapp:outbox", refreshUnsent);

  // Numbers and times are formatted here, not by the catalog: redo them once it (or another) is in.
  function reformat() {
    document.querySelectorAll("#street-list .distance").forEach(function (d) {
      d.textContent = formatDistance(Number(d.getAttribute("data-distance")));
    });
    document.querySelectorAll("#recent-list time, #unsent-list time").forEach(function (t) {
      t.textContent = formatWhen(t.getAttribute("data-when"));
    });
  }
  document.addEventListener("fieldapp:locale", reformat);
  Promise.resolve(i18n.ready).then(reformat);

  showChosen();
  fetch(document.documentElement.getAttribute("data-codes-url") || "/field/codes.json")
    .then(function (r) { return r.json(); })
    .then(function (data) { codes = data; }, function () { codes = null; })
    .then(function () { refreshUnsent(); return fieldapp.refreshStreets(); })
    .then(function () { refreshUnsent(); loadRecent(); });
  refreshUnsent();
  if (navigator.permissions && navigator.permissions.query) {
    navigator.permissions.query({ name: "geolocation" }).then(function (status) {
      if (status.state === "granted") locate();
    }, function () { /* no permissions API: wait for the button */ });
  }
})();
