// Small progressive enhancements; the pages work without them.
(function () {
  "use strict";
  // The language switch posts as soon as a language is picked (its button stays for keyboards and no-JS).
  document.addEventListener("change", function (event) {
    var select = event.target.closest("select[data-autosubmit]");
    if (select && select.form) select.form.requestSubmit();
  });
})();
