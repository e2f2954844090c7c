/* fieldapp.i18n: switch the interface language in place, offline, without a reload.
 *
 * All four catalogs are fetched once (the service worker keeps them), so a switch only
 * rewrites text. Elements carry their msgid: data-i18n (text), data-i18n-placeholder,
 * data-i18n-aria-label, data-i18n-title, data-i18n-params (JSON), data-i18n-meta (a value
 * from the catalog's meta, e.g. a date Babel formatted). An element inside
 * [data-i18n-lang="xx"] is rendered in xx whatever the interface language (the resident card).
 * Scripts mark their msgids with N_("...") so extraction finds them.
 */
(function () {
  "use strict";
  var fieldapp = (window.fieldapp = window.fieldapp || {});
  var html = document.documentElement;
  var STORE_KEY = "fieldapp.lang";
  var SUPPORTED = ["nl", "tr", "ti", "so", "en"];
  var base = html.getAttribute("data-i18n-base") || "/field/i18n/";
  var catalogs = {};
  var loading = {};
  var ATTRS = ["placeholder", "aria-label", "title"];

  function load(code) {
    if (catalogs[code]) return Promise.resolve(catalogs[code]);
    if (!loading[code]) {
      loading[code] = fetch(base + code + ".json", { credentials: "same-origin" })
        .then(function (r) {
          if (!r.ok) throw new Error("catalog " + code + ": HTTP " + r.status);
          return r.json();
        })
        .then(function (data) { catalogs[code] = data; return data; })
        .catch(function (err) { delete loading[code]; throw err; });
    }
    return loading[code];
  }

  function interpolate(text, params) {
    if (!params) return text;
    return text.replace(/%\((\w+)\)[sd]/g, function (whole, key) {
      return Object.prototype.hasOwnProperty.call(params, key) ? String(params[key]) : whole;
    });
  }

  function translateIn(code, msgid, params) {
    var catalog = catalogs[code];
    var text = (catalog && catalog.messages[msgid]) || msgid;
    return interpolate(text, params);
  }

  function localeOf(el) {
    var scope = el.closest("[data-i18n-lang]");
    return scope ? scope.getAttribute("data-i18n-lang") : i18n.locale;
  }

  function paramsOf(el) {
    var raw = el.getAttribute("data-i18n-params");
    if (!raw) return null;
    try { return JSON.parse(raw); } catch (e) { return null; }
  }

  var SELECTOR = "[data-i18n],[data-i18n-meta]," + ATTRS.map(function (a) { return "[data-i18n-" + a + "]"; }).join(",");

  function renderElement(el) {
    var code = localeOf(el);
    // A language whose catalog is not here yet keeps the text it has rather than falling back to English.
    if (code !== "en" && !catalogs[code]) return;
    var params = paramsOf(el);
    var msgid = el.getAttribute("data-i18n");
    if (msgid) el.textContent = translateIn(code, msgid, params);
    var metaKey = el.getAttribute("data-i18n-meta");
    if (metaKey && catalogs[code] && catalogs[code].meta[metaKey]) el.textContent = catalogs[code].meta[metaKey];
    ATTRS.forEach(function (attr) {
      var id = el.getAttribute("data-i18n-" + attr);
      if (id) el.setAttribute(attr, translateIn(code, id, params));
    });
  }

  function render(root) {
    root = root || document;
    if (root.nodeType === 1 && root.matches(SELECTOR)) renderElement(root);
    root.querySelectorAll(SELECTOR).forEach(renderElement);
  }

  function setCookie(code) {
    var secure = location.protocol === "https:" ? "; Secure" : "";
    document.cookie = "lang=" + code + "; path=/; max-age=31536000; SameSite=Lax" + secure;
  }

  function markSwitcher(code) {
    document.querySelectorAll("a[data-locale]").forEach(function (a) {
      if (a.getAttribute("data-locale") === code) a.setAttribute("aria-current", "true");
      else a.removeAttribute("aria-current");
    });
  }

  function readCookie(name) {
    var match = document.cookie.match(new RegExp("(?:^|; )" + name + "=([^;]*)"));
    return match ? decodeURIComponent(match[1]) : null;
  }

  /** The explicit choice, as the server ranks it: ?lang=, then the cookie, then this phone's memory.
   * A page from the service worker's cache may have been rendered in another language. */
  function wantedLocale() {
    var stored = null;
    try { stored = localStorage.getItem(STORE_KEY); } catch (e) { /* ignore */ }
    var candidates = [new URLSearchParams(location.search).get("lang"), readCookie("lang"), stored];
    for (var i = 0; i < candidates.length; i++) {
      if (candidates[i] && SUPPORTED.indexOf(candidates[i]) >= 0) return candidates[i];
    }
    return null;
  }
  var wanted = wantedLocale();

  function pad2(n) { return (n < 10 ? "0" : "") + n; }

  /** A local date and time by the catalog's CLDR pattern (Intl lacks some of our languages). */
  function formatDateTime(date, code) {
    var catalog = catalogs[code];
    var spec = catalog && catalog.meta.datetime;
    if (!spec || isNaN(date)) return date.toLocaleString(code);
    var hours = date.getHours();
    var fields = {
      d: String(date.getDate()), dd: pad2(date.getDate()),
      M: String(date.getMonth() + 1), MM: pad2(date.getMonth() + 1), MMM: spec.months[date.getMonth()],
      y: String(date.getFullYear()), yyyy: String(date.getFullYear()), yy: pad2(date.getFullYear() % 100),
      H: String(hours), HH: pad2(hours), h: String(hours % 12 || 12), hh: pad2(hours % 12 || 12),
      m: String(date.getMinutes()), mm: pad2(date.getMinutes()), a: hours < 12 ? spec.am : spec.pm,
    };
    // 'quoted' text is literal; a run of one letter is a field.
    return spec.pattern.replace(/'([^']*)'|([A-Za-z])\2*/g, function (whole, quoted) {
      if (quoted !== undefined) return quoted || "'";
      return Object.prototype.hasOwnProperty.call(fields, whole) ? fields[whole] : whole;
    });
  }

  var i18n = {
    locale: SUPPORTED.indexOf(html.lang) >= 0 ? html.lang : "nl",
    /** The language the interface is in or is switching to. Scripts that choose something by
     * language read this: `locale` still names the cached page's language until its catalog is here. */
    target: null,
    supported: SUPPORTED.slice(),
    /** Translate into the interface language; %(name)s placeholders from params. */
    t: function (msgid, params) { return translateIn(i18n.locale, msgid, params); },
    /** Translate into a given language (e.g. the resident's). */
    tIn: translateIn,
    /** A local date and time in the interface language (or `code`). */
    formatDateTime: function (date, code) { return formatDateTime(date, code || i18n.locale); },
    meta: function (code) { return catalogs[code || i18n.locale] ? catalogs[code || i18n.locale].meta : null; },
    load: load,
    render: render,
    /** The msgid behind a text the server translated into `code`, so it can switch language too. */
    msgidFor: function (text, code) {
      // First the language it was sent in; an outbox may replay in another, so then the rest.
      var order = [code].concat(SUPPORTED.filter(function (c) { return c !== code; }));
      for (var i = 0; i < order.length; i++) {
        var catalog = catalogs[order[i]];
        if (!catalog) continue;
        for (var key in catalog.messages) {
          if (catalog.messages[key] === text) return key;
        }
      }
      for (var c in catalogs) {
        if (Object.prototype.hasOwnProperty.call(catalogs[c].messages, text)) return text; // an English msgid
      }
      return null;
    },
    /** Render an element subtree in language `code` (independent of the interface language). */
    setScopeLocale: function (el, code) {
      return load(code).then(function (catalog) {
        el.setAttribute("data-i18n-lang", code);
        el.setAttribute("lang", code);
        el.setAttribute("dir", catalog.meta.dir || "ltr");
        render(el);
      });
    },
    setLocale: function (code) {
      if (SUPPORTED.indexOf(code) < 0) return Promise.reject(new Error("unsupported locale " + code));
      i18n.target = code;
      return load(code).then(function (catalog) {
        var previous = i18n.locale;
        i18n.locale = code;
        html.lang = code;
        html.dir = catalog.meta.dir || "ltr";
        render(document);
        var titleId = html.getAttribute("data-title");
        if (titleId) document.title = i18n.t(titleId) + " · fieldapp";
        markSwitcher(code);
        setCookie(code);
        try { localStorage.setItem(STORE_KEY, code); } catch (e) { /* private mode: the cookie remains */ }
        document.dispatchEvent(new CustomEvent("fieldapp:locale", { detail: { locale: code, previous: previous } }));
        return code;
      }, function (err) {
        if (i18n.target === code) i18n.target = i18n.locale;
        throw err;
      });
    },
  };
  i18n.target = wanted || i18n.locale;
  // Scripts may set data-i18n text before the catalog arrives: render once it is there.
  i18n.ready = load(i18n.locale).then(function (catalog) {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", function () { render(document); });
    else render(document);
    return catalog;
  }, function () { return null; });
  fieldapp.i18n = i18n;
  window.N_ = window.N_ || function (msgid) { return msgid; };

  // base.html names the language switcher without a msgid; mark it so a switch renders it too.
  function start() {
    if (wanted && wanted !== i18n.locale) i18n.setLocale(wanted);
    else if (wanted) { try { localStorage.setItem(STORE_KEY, wanted); } catch (e) { /* ignore */ } }
    // Fetch the other catalogs now, so a later switch needs no network and no wait.
    SUPPORTED.forEach(function (code) { load(code).catch(function () { /* offline and not cached */ }); });
    if (!html.hasAttribute("data-live-i18n")) return;
    document.addEventListener("click", function (event) {
      var link = event.target.closest && event.target.closest("a[data-locale]");
      if (!link) return;
      event.preventDefault();
      i18n.setLocale(link.getAttribute("data-locale"));
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
