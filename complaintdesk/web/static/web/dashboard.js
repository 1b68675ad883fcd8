// The regulator's dashboard charts, drawn by the vendored Chart.js from the JSON the page carries.
(function () {
  "use strict";
  var source = document.getElementById("dashboard-data");
  if (!source || !window.Chart) return;
  var data = JSON.parse(source.textContent);
  var palette = ["#0b5cad", "#e07b00", "#2e8540", "#c0392b", "#7d3c98", "#16a085", "#8e6e00", "#5d6d7e", "#d35400"];
  var colours = {in_time: "#2e8540", late: "#e07b00", missed: "#c0392b", running: "#7f8c9a"};
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.maintainAspectRatio = false;

  function draw(id, config) {
    var canvas = document.getElementById(id);
    if (canvas) new Chart(canvas, config);
  }

  // Chart.js gives the names beside a horizontal bar at most half the chart's width and cuts what is longer
  // off at the canvas's edge ("ıghua Digital…"). So a name is wrapped onto two lines that fit that width,
  // the second ending in "…" if the name goes on; the bar's tooltip and the chart's table show it whole.
  var MAX_LINES = 2;
  // Words, runs of Chinese characters (a run stays whole if a line can take it) and spaces.
  var WORDS = /[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]+|[^\s\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]+|\s+/g;

  function fitName(name, width, measure) {
    var fits = function (text) { return measure(text) <= width; };
    var parts = String(name).trim().match(WORDS) || [], lines = [""];
    parts.forEach(function (part) {
      var n = lines.length - 1;
      if (fits(lines[n] + part)) { lines[n] += part; return; }
      if (!part.trim()) return;  // the line breaks at this space
      if (fits(part)) { lines.push(part); return; }
      while (part) {  // longer than a line: broken where it must be, from this line on
        n = lines.length - 1;
        var cut = part.length;
        while (cut && !fits(lines[n] + part.slice(0, cut))) cut--;
        if (!cut && lines[n].trim()) { lines.push(""); continue; }
        cut = Math.max(cut, 1);
        lines[n] += part.slice(0, cut);
        part = part.slice(cut);
        if (part) lines.push("");
      }
    });
    lines = lines.map(function (line) { return line.trim(); }).filter(Boolean);
    if (lines.length > MAX_LINES) {
      lines.length = MAX_LINES;
      var last = lines[MAX_LINES - 1];
      while (last && !fits(last + "…")) last = last.slice(0, -1).trim();
      lines[MAX_LINES - 1] = last + "…";
    }
    return lines.length > 1 ? lines : lines[0] || "";
  }

  function namesThatFit(value) {
    var scale = this, ticks = scale.options.ticks, grid = scale.options.grid;
    var width = scale.maxWidth - ticks.padding - (grid.drawTicks ? grid.tickLength : 0) - 4;
    var ctx = scale.ctx;
    ctx.save();
    ctx.font = Chart.helpers.toFont(ticks.font).string;
    var lines = fitName(scale.getLabelForValue(value), width, function (text) { return ctx.measureText(text).width; });
    ctx.restore();
    return lines;
  }
  var namesAxis = {ticks: {callback: namesThatFit, autoSkip: false}};

  draw("chart-monthly", {
    type: "line",
    data: {
      labels: data.months,
      datasets: [
        {label: data.monthly.this_year.label, data: data.monthly.this_year.data, borderColor: palette[0], backgroundColor: palette[0], cubicInterpolationMode: "monotone", spanGaps: false},
        {label: data.monthly.last_year.label, data: data.monthly.last_year.data, borderColor: "#9aa5b1", backgroundColor: "#9aa5b1", borderDash: [6, 4], cubicInterpolationMode: "monotone", spanGaps: false}
      ]
    },
    options: {scales: {y: {beginAtZero: true, ticks: {precision: 0}}}}
  });
  draw("chart-category", {
    type: "bar",
    data: {labels: data.by_category.labels, datasets: [{data: data.by_category.data, backgroundColor: palette}]},
    options: {indexAxis: "y", plugins: {legend: {display: false}}, scales: {x: {beginAtZero: true, ticks: {precision: 0}}, y: namesAxis}}
  });
  draw("chart-sector", {
    type: "doughnut",
    data: {labels: data.sector.labels, datasets: [{data: data.sector.data, backgroundColor: [palette[0], "#c9d1da"]}]}
  });
  draw("chart-compliance", {
    type: "bar",
    data: {
      labels: data.compliance.labels,
      datasets: data.compliance.series.map(function (s) {
        return {label: s.label, data: s.data, backgroundColor: colours[s.key]};
      })
    },
    options: {scales: {x: {stacked: true}, y: {stacked: true, beginAtZero: true, ticks: {precision: 0}}}}
  });
  [["chart-top-shops", data.top_shops, palette[0]], ["chart-top-overdue", data.top_overdue, "#c0392b"]].forEach(function (c) {
    draw(c[0], {
      type: "bar",
      data: {labels: c[1].labels, datasets: [{label: c[1].label, data: c[1].data, backgroundColor: c[2]}]},
      options: {indexAxis: "y", plugins: {legend: {display: false}}, scales: {x: {beginAtZero: true, ticks: {precision: 0}}, y: namesAxis}}
    });
  });
})();
