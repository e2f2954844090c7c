/* The stand-alone resident card: choose the resident's language; the interface keeps its own. */
(function () {
  "use strict";
  var fieldapp = window.fieldapp;
  var card = document.querySelector(".resident-card");
  var KEY = "fieldapp.conversation_language";

  function show(code) {
    document.querySelectorAll("[data-card-lang]").forEach(function (b) {
      b.setAttribute("aria-pressed", b.getAttribute("data-card-lang") === code ? "true" : "false");
    });
    return fieldapp.i18n.setScopeLocale(card, code);
  }

  document.querySelectorAll("[data-card-lang]").forEach(function (button) {
    button.addEventListener("click", function () { show(button.getAttribute("data-card-lang")); });
  });
  var last = fieldapp.store ? fieldapp.store.get(KEY, null) : null;
  if (last && document.querySelector('[data-card-lang="' + last + '"]')) show(last);
})();
