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
  // A link to something inside a closed <details> (a chart's "View as table") opens it first. Chromium
  // opens it on its own when it follows the link; other browsers may not.
  document.addEventListener("click", function (event) {
    var link = event.target.closest('a[href^="#"]');
    var target = link && link.getAttribute("href").length > 1 && document.getElementById(link.getAttribute("href").slice(1));
    var details = target && target.closest("details:not([open])");
    if (details) details.open = true;
  });
})();
