// Numbers as the page's language writes them, like the server's Babel (fieldapp/i18n/formatting.py):
// 1.078 and 69,7 in Dutch, %58 in Turkish.
(function () {
  "use strict";
  var lang = document.documentElement.lang || "nl";
  // Chromium has no number data for ti and so: "en" next makes Intl fall back to 1,078 and 58%,
  // as CLDR does on the server, instead of to the phone's own locale.
  var locales = [lang, "en"];
  var decimal = new Intl.NumberFormat(locales, { maximumFractionDigits: 1 });
  var share = new Intl.NumberFormat(locales, { style: "percent", maximumFractionDigits: 0 });
  var NONE = "\u2013";

  window.fieldappDashboard = window.fieldappDashboard || {};
  window.fieldappDashboard.format = {
    number: function (value) { return value === null || value === undefined ? NONE : decimal.format(value); },
    percent: function (value) { return value === null || value === undefined ? NONE : share.format(value); }
  };
})();
