/* A channel's form: thumbs first, defaults for the common case, checks that mirror the server's
 * (same msgids, limits read from codes.json), and a send through the outbox when there is one.
 * Switching language touches only text, so every typed or tapped value stays where it is.
 */
(function () {
  "use strict";
  var fieldapp = window.fieldapp;
  var session = fieldapp.api.requireSession();
  if (!session) return;
  var i18n = fieldapp.i18n;
  var form = document.getElementById("record-form");
  var channel = form.getAttribute("data-channel");
  var statusEl = document.getElementById("send-status");
  var overlay = document.getElementById("card-overlay");
  var cardEl = overlay.querySelector(".resident-card");
  var CARD_LOCALES = ["nl", "tr", "ti", "so"];
  var LANG_KEY = "fieldapp.conversation_language";
  var codes = null;
  var recordId = null;
  var cardShownIn = null;

  // --- small helpers --------------------------------------------------------------------------
  function field(name) { return form.elements.namedItem(name); }
  function checked(name) {
    return Array.prototype.filter.call(form.querySelectorAll('input[name="' + name + '"]'), function (i) { return i.checked; })
      .map(function (i) { return i.value; });
  }
  function setText(el, msgid, params) {
    el.setAttribute("data-i18n", msgid);
    if (params) el.setAttribute("data-i18n-params", JSON.stringify(params));
    else el.removeAttribute("data-i18n-params");
    el.textContent = i18n.t(msgid, params);
  }
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function localInputValue(d) {
    return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) + "T" + pad(d.getHours()) + ":" + pad(d.getMinutes());
  }
  function isoWithOffset(d) {
    var off = -d.getTimezoneOffset();
    var sign = off >= 0 ? "+" : "-";
    off = Math.abs(off);
    return localInputValue(d) + ":" + pad(d.getSeconds()) + sign + pad(Math.floor(off / 60)) + ":" + pad(off % 60);
  }

  // --- the street list: cached for offline, preselected from "near me" or the last choice ------
  function fillStreets(streets) {
    var select = field("street_id");
    if (!select) return;
    var current = select.value || String((fieldapp.store.chosenStreet() || {}).id || "");
    while (select.options.length > 1) select.remove(1);
    var seen = {};
    streets.forEach(function (s) {
      seen[s.id] = true;
      select.add(new Option(s.name, String(s.id)));
    });
    var chosen = fieldapp.store.chosenStreet();
    if (chosen && !seen[chosen.id]) select.add(new Option(chosen.name, String(chosen.id)));
    select.value = current;
  }

  // --- defaults for a new contact --------------------------------------------------------------
  function defaults() {
    return (codes && codes.forms[channel] && codes.forms[channel].defaults) || {};
  }

  function startRecord(keepContext) {
    recordId = fieldapp.uuid();
    form.setAttribute("data-record-id", recordId);
    cardShownIn = null;
    if (keepContext) {
      ["house_number", "house_addition", "notes"].forEach(function (n) { if (field(n)) field(n).value = ""; });
      form.querySelectorAll('input[name="topics"], input[name="referrals"], input[name="consent"], input[name="heard_via"], input[name="ambassador"]')
        .forEach(function (i) { i.checked = false; });
      form.querySelectorAll('input[name="measure"]').forEach(function (i) { i.value = "0"; markStepper(i); });
      form.querySelectorAll('input[name="outcome"]').forEach(function (i) { i.checked = i.value === defaults().outcome; });
      updateConsent();
    }
    if (field("occurred_at")) field("occurred_at").value = localInputValue(new Date());
    clearErrors();
    showNotesLength();
  }

  // The conversation language starts as the interface's: a volunteer working in Turkish mostly
  // talks Turkish at the door. It follows a switch until the volunteer picks one. English is no
  // door language here, so an English interface keeps the last language used.
  var languageByHand = false;
  function conversationLanguageFor(ui) {
    return ui === "en" ? fieldapp.store.get(LANG_KEY, null) || ui : ui;
  }
  function preselectLanguage(ui) {
    var radio = form.querySelector('input[name="language"][value="' + conversationLanguageFor(ui) + '"]');
    if (radio) radio.checked = true;
  }
  ["click", "change"].forEach(function (type) {
    form.addEventListener(type, function (event) { if (event.target.name === "language") languageByHand = true; });
  });
  document.addEventListener("fieldapp:locale", function (event) {
    if (!languageByHand) preselectLanguage(event.detail.locale);
  });

  function applyPreferences() {
    // i18n.target, not i18n.locale: a page from the worker's cache is switched only once its catalog is here.
    if (!checked("language").length) preselectLanguage(i18n.target || i18n.locale);
    var own = session.user && session.user.partner;
    form.querySelectorAll('input[name="partners"]').forEach(function (i) {
      if (i.value === own) { i.checked = true; i.disabled = true; i.closest(".chip").classList.add("own"); }
    });
  }

  // --- steppers ---------------------------------------------------------------------------------
  function quantityMax() { return codes ? codes.rules.quantity.max : 999; }
  function markStepper(input) {
    var n = parseInt(input.value, 10);
    input.closest(".stepper").classList.toggle("active", n > 0);
  }
  form.addEventListener("click", function (event) {
    var button = event.target.closest("button.step");
    if (!button) return;
    var input = document.getElementById(button.getAttribute("aria-controls"));
    var n = parseInt(input.value, 10) || 0;
    n = Math.max(0, Math.min(quantityMax(), n + parseInt(button.getAttribute("data-step"), 10)));
    input.value = String(n);
    markStepper(input);
  });
  form.addEventListener("input", function (event) {
    if (event.target.name === "measure") markStepper(event.target);
  });
  // Touching a field clears its old complaint; the next send checks everything again.
  function clearSection(el) {
    var section = el && el.closest("[data-section]");
    if (!section) return;
    section.querySelectorAll("[data-error-for]").forEach(function (slot) { slot.textContent = ""; });
    section.querySelectorAll("[aria-invalid]").forEach(function (x) { x.removeAttribute("aria-invalid"); });
  }
  form.addEventListener("input", function (event) { clearSection(event.target); });
  form.addEventListener("change", function (event) { clearSection(event.target); });

  // --- the notes' length while typing: the server's limit (codes.json), counted as it counts -----
  var notesCount = document.getElementById("notes-count");
  function charCount(text) { return Array.from(text.trim()).length; } // code points, after trimming, as the server
  function showNotesLength() {
    var notes = field("notes");
    if (!notes || !notesCount || !codes) return;
    var rule = codes.rules.notes;
    var n = charCount(notes.value);
    var number = new Intl.NumberFormat(i18n.locale);
    notesCount.querySelector(".counter-figures").textContent = number.format(n) + " / " + number.format(rule.max);
    var over = notesCount.querySelector(".counter-over");
    if (n > rule.max) {
      setText(over, rule.message);
      notes.setAttribute("aria-invalid", "true");
    } else {
      over.textContent = "";
      over.removeAttribute("data-i18n");
    }
    notesCount.classList.toggle("over", n > rule.max);
  }
  ["input", "change"].forEach(function (type) {
    form.addEventListener(type, function (event) { if (event.target.name === "notes") showNotesLength(); });
  });
  document.addEventListener("fieldapp:locale", showNotesLength);

  // --- follow-up and the resident card --------------------------------------------------------
  function updateConsent() {
    var block = document.getElementById("consent-block");
    if (block) block.hidden = checked("referrals").length === 0;
  }
  form.addEventListener("change", function (event) {
    if (event.target.name === "referrals") updateConsent();
    if (event.target.name === "street_id") {
      var option = event.target.selectedOptions[0];
      if (option && option.value) fieldapp.store.chooseStreet({ id: Number(option.value), name: option.text });
    }
  });

  function cardLocale() {
    var lang = checked("language")[0];
    return CARD_LOCALES.indexOf(lang) >= 0 ? lang : i18n.locale;
  }
  function openCard() {
    var lang = cardLocale();
    i18n.setScopeLocale(cardEl, lang).catch(function () { /* catalog missing: the card keeps its text */ });
    markCardLang(lang);
    overlay.hidden = false;
    cardShownIn = lang;
    document.getElementById("close-card").focus();
  }
  function closeCard() {
    overlay.hidden = true;
    var opener = document.getElementById("show-card");
    if (opener) opener.focus();
  }
  var showCard = document.getElementById("show-card");
  if (showCard) showCard.addEventListener("click", openCard);
  document.getElementById("close-card").addEventListener("click", closeCard);
  overlay.addEventListener("keydown", function (event) { if (event.key === "Escape") closeCard(); });
  overlay.querySelectorAll("[data-card-answer]").forEach(function (button) {
    button.addEventListener("click", function () {
      var radio = form.querySelector('input[name="consent"][value="' + button.getAttribute("data-card-answer") + '"]');
      if (radio) { radio.checked = true; clearSection(radio); }
      closeCard();
    });
  });
  // The resident may read another of the four languages better: one tap on the card itself.
  function markCardLang(code) {
    overlay.querySelectorAll("[data-card-lang]").forEach(function (b) {
      b.setAttribute("aria-pressed", b.getAttribute("data-card-lang") === code ? "true" : "false");
    });
  }
  overlay.querySelectorAll("[data-card-lang]").forEach(function (button) {
    button.addEventListener("click", function () {
      var code = button.getAttribute("data-card-lang");
      i18n.setScopeLocale(cardEl, code).then(function () { cardShownIn = code; markCardLang(code); });
    });
  });

  // --- the payload --------------------------------------------------------------------------------
  function build() {
    var sections = {};
    form.querySelectorAll("[data-section]").forEach(function (s) { sections[s.getAttribute("data-section")] = true; });
    var number = field("house_number") ? field("house_number").value.trim() : "";
    var when = field("occurred_at") && field("occurred_at").value ? new Date(field("occurred_at").value) : new Date();
    var payload = {
      channel: channel,
      street_id: field("street_id").value ? Number(field("street_id").value) : null,
      house_number: number === "" ? null : (/^\d+$/.test(number) ? Number(number) : number),
      house_addition: field("house_addition") && field("house_addition").value.trim() || null,
      occurred_at: isoWithOffset(when),
      language: checked("language")[0] || null,
      taalcoach_present: !!(field("taalcoach_present") && field("taalcoach_present").checked),
      ambassador: !!(field("ambassador") && field("ambassador").checked),
      topics: checked("topics"),
      partners: checked("partners"),
      notes: field("notes") && field("notes").value.trim() || null,
    };
    if (sections.outcome) payload.outcome = checked("outcome")[0] || null;
    else if (defaults().outcome) payload.outcome = defaults().outcome;
    if (sections.heard_via) payload.heard_via = checked("heard_via")[0] || null;
    if (sections.measures) {
      payload.measures = [];
      form.querySelectorAll('input[name="measure"]').forEach(function (i) {
        var raw = i.value.trim();
        var n = /^\d+$/.test(raw) ? parseInt(raw, 10) : raw;
        if (n !== 0 && raw !== "") payload.measures.push({ code: i.getAttribute("data-code"), quantity: n });
      });
    }
    if (sections.referrals) {
      var consent = checked("consent")[0];
      var version = codes && codes.card;
      payload.referrals = checked("referrals").map(function (code) {
        var r = { code: code, consent: consent === "yes" };
        if (cardShownIn && version && version.api_accepts_version.referral) r.consent_text_version = version.version;
        return r;
      });
      if (cardShownIn && version && version.api_accepts_version.record) payload.consent_text_version = version.version;
    }
    return payload;
  }

  // --- checks that mirror the server's rules, with the server's msgids ------------------------
  function validate(p) {
    var errors = {};
    if (!codes) return errors;
    var rules = codes.rules;
    var required = codes.forms[channel].required;
    function add(key, msgid, params) { (errors[key] = errors[key] || []).push({ msgid: msgid, params: params }); }
    if (!p.street_id) add("street_id", rules.messages.street);
    if (p.house_number !== null) {
      var hn = rules.house_number;
      if (typeof p.house_number !== "number" || p.house_number < hn.min || p.house_number > hn.max) add("house_number", hn.message);
    }
    if (p.house_addition) {
      if (p.house_addition.length > rules.house_addition.max) add("house_addition", rules.house_addition.message);
      else if (p.house_number === null) add("house_addition", rules.house_addition.needs_number);
    }
    if (required.indexOf("outcome") >= 0 && !p.outcome) add("outcome", rules.messages.outcome);
    if (required.indexOf("heard_via") >= 0 && !p.heard_via) add("heard_via", rules.messages.heard_via);
    if (!p.language) add("language", rules.messages.required);
    (p.measures || []).forEach(function (m) {
      var q = rules.quantity;
      if (typeof m.quantity !== "number" || m.quantity < q.min || m.quantity > q.max) {
        if (!errors.measures) add("measures", q.message);
      }
    });
    if ((p.referrals || []).length && !checked("consent").length) add("referrals", rules.messages.consent);
    if (p.notes && charCount(p.notes) > rules.notes.max) add("notes", rules.notes.message);
    if (new Date(p.occurred_at).getTime() > Date.now() + rules.future_tolerance_seconds * 1000) add("occurred_at", rules.messages.future);
    return errors;
  }

  // --- showing errors beside the fields -------------------------------------------------------
  function clearErrors() {
    form.querySelectorAll("[data-error-for]").forEach(function (slot) { slot.textContent = ""; });
    form.querySelectorAll("[aria-invalid]").forEach(function (el) { el.removeAttribute("aria-invalid"); });
  }

  function flatten(value, out) {
    if (typeof value === "string") out.push(value);
    else if (Array.isArray(value)) value.forEach(function (v) { flatten(v, out); });
    else if (value && typeof value === "object") Object.keys(value).forEach(function (k) { flatten(value[k], out); });
    return out;
  }

  /** errors: {field: [{msgid, params} | server text]}; server texts arrived in `sentIn`. */
  function showErrors(errors, sentIn) {
    clearErrors();
    var first = null;
    Object.keys(errors).forEach(function (key) {
      var slot = form.querySelector('[data-error-for="' + key + '"]') || form.querySelector('[data-error-for="_form"]');
      var items = errors[key];
      items = Array.isArray(items) && items.length && typeof items[0] === "object" && items[0].msgid ? items : flatten(items, []);
      items.forEach(function (item) {
        var p = document.createElement("p");
        var msgid = typeof item === "object" ? item.msgid : i18n.msgidFor(item, sentIn);
        if (msgid) setText(p, msgid, item.params);
        else p.textContent = item; // not in our catalogs: show as the server said it
        slot.appendChild(p);
      });
      var input = field(key);
      if (input && input.setAttribute) input.setAttribute("aria-invalid", "true");
      var section = slot.closest("[data-section]") || slot;
      if (!first) first = section;
    });
    if (first) first.scrollIntoView({ block: "center" });
  }

  // --- sending ----------------------------------------------------------------------------------
  function direct(id, payload) {
    return fieldapp.api.request("PUT", "/api/v1/records/" + id, payload).then(function (r) {
      if (r.status === 200 || r.status === 201) return { status: "sent" };
      if (r.status === 401) return { status: "login" };
      return { status: "needs_attention", errors: (r.data && r.data.errors) || {}, message: r.data && r.data.message };
    }, function () { return { status: "offline" }; });
  }

  function send(payload) {
    var outbox = fieldapp.outbox;
    if (outbox && typeof outbox.submit === "function") return Promise.resolve(outbox.submit(recordId, payload));
    return direct(recordId, payload);
  }

  // Kept in the outbox: say why, and what happens next. With a line, the answer may have been
  // lost on the way back, so "when there is a connection" would be wrong.
  function keptMessage(result) {
    if (!navigator.onLine) return N_("Saved on this phone. It is sent when there is a connection.");
    if (result.retry === "auth") return N_("Saved on this phone. Log in again to send it.");
    return N_("Saved on this phone. Sending is retried automatically.");
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var payload = build();
    var errors = validate(payload);
    if (Object.keys(errors).length) {
      showErrors(errors);
      setText(statusEl, N_("Some fields need attention."));
      return;
    }
    var sentIn = i18n.locale;
    var button = document.getElementById("send");
    button.disabled = true;
    setText(statusEl, N_("Sending…"));
    send(payload).then(function (result) {
      button.disabled = false;
      if (result.status === "sent" || result.status === "pending") {
        if (payload.language) fieldapp.store.set(LANG_KEY, payload.language);
        statusEl.setAttribute("data-last-id", recordId);
        setText(statusEl, result.status === "sent" ? N_("Sent. Ready for the next door.") : keptMessage(result));
        startRecord(true);
        window.scrollTo(0, 0);
      } else if (result.status === "offline") {
        setText(statusEl, N_("No connection. Nothing is lost: try again."));
      } else if (result.status === "login") {
        setText(statusEl, N_("Your login has expired. Log in again in another tab, then send again."));
      } else {
        showErrors(result.errors && Object.keys(result.errors).length ? result.errors : { _form: [result.message || ""] }, sentIn);
        setText(statusEl, N_("Some fields need attention."));
      }
    }, function () {
      button.disabled = false;
      setText(statusEl, N_("No connection. Nothing is lost: try again."));
    });
  });

  // --- start ------------------------------------------------------------------------------------
  fillStreets(fieldapp.store.streets());
  startRecord(false);
  applyPreferences();
  fetch(document.documentElement.getAttribute("data-codes-url") || "/field/codes.json")
    .then(function (r) { return r.json(); })
    .then(function (data) { codes = data; showNotesLength(); form.setAttribute("data-ready", "true"); },
          function () { form.setAttribute("data-ready", "true"); });
  fieldapp.refreshStreets().then(fillStreets);
})();
