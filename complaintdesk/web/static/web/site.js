// Small progressive enhancements; the pages work without them.
(function () {
  "use strict";
  // A step that cannot be undone asks first in its <dialog>, whose "yes" button submits the form with
  // confirm=1. Without a dialog (or JavaScript) the server asks on a page of its own instead.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var dialog = form.hasAttribute("data-confirm") ? form.querySelector("dialog.confirm") : null;
    if (!dialog || typeof dialog.showModal !== "function") return;
    if (event.submitter && event.submitter.name === "confirm") return;
    event.preventDefault();
    event.stopPropagation();
    dialog.showModal();
  }, true);
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-close-dialog]");
    var dialog = button && button.closest("dialog");
    if (dialog) dialog.close();
  });
})();
