// Live countdowns for deadlines: every element with data-countdown shows the time left until data-due and
// takes the colour of its state (on time, due soon once data-remind has passed, overdue). The server
// renders the same text and colour, so the page is right without this script too.
(function () {
  "use strict";
  var body = document.body.dataset;

  function span(seconds) {
    var s = Math.abs(seconds);
    var days = Math.floor(s / 86400);
    var hours = Math.floor((s % 86400) / 3600);
    var minutes = Math.floor((s % 3600) / 60);
    var parts = [];
    if (days) parts.push(days + " " + body.tD);
    if (days || hours) parts.push(hours + " " + body.tH);
    parts.push(minutes + " " + body.tMin);
    if (!days && !hours) parts.push((Math.floor(s) % 60) + " s");
    return parts.join(" ");
  }

  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-countdown]").forEach(function (el) {
      var due = Date.parse(el.dataset.due);
      var remind = Date.parse(el.dataset.remind);
      var left = (due - now) / 1000;
      var tone = left <= 0 ? "overdue" : now >= remind ? "due-soon" : "ok";
      var text = (left <= 0 ? body.tOverdue : body.tLeft).replace("TIME", span(left));
      if (el.textContent !== text) el.textContent = text;
      ["tone-ok", "tone-due-soon", "tone-overdue"].forEach(function (c) {
        el.classList.toggle(c, c === "tone-" + tone);
      });
      var row = el.closest("tr, li.deadline-item");
      if (row) {
        ["tone-ok", "tone-due-soon", "tone-overdue"].forEach(function (c) {
          row.classList.toggle(c, c === "tone-" + tone);
        });
      }
    });
  }

  tick();
  setInterval(tick, 1000);
})();
