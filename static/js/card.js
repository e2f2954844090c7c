/* The stand-alone resident card: choose the resident's language; the interface keeps its own.
 * Until the resident's language is known (a tap here, or the last conversation's language) the
 * card is in the interface's language and follows a switch: the page itself may come from the
 * worker's cache in another language.
 */
(function () {
  "use strict";
  var fieldapp = window.fieldapp;
  var card = document.querySelector(".resident-card");
  var KEY = "fieldapp.conversation_language";

  function hasChip(code) { return !!document.querySelector('[data-card-lang="' + code + '"]'); }

  function show(code) {
    document.querySelectorAll("[data-card-lang]").forEach(function (b) {
      b.setAttribute("aria-pressed", b.getAttribute("data-card-lang") === code ? "true" : "false");
    });
    return fieldapp.i18n.setScopeLocale(card, code).catch(function () { /* offline and not cached: keep the text */ });
  }

  var last = fieldapp.store ? fieldapp.store.get(KEY, null) : null;
  var residentKnown = !!(last && hasChip(last));
  document.querySelectorAll("[data-card-lang]").forEach(function (button) {
    button.addEventListener("click", function () {
      residentKnown = true;
      show(button.getAttribute("data-card-lang"));
    });
  });
  document.addEventListener("fieldapp:locale", function (event) {
    if (!residentKnown) show(event.detail.locale);
  });
  show(residentKnown ? last : fieldapp.i18n.target || fieldapp.i18n.locale);
})();
