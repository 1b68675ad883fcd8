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
    options: {indexAxis: "y", plugins: {legend: {display: false}}, scales: {x: {beginAtZero: true, ticks: {precision: 0}}}}
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
      options: {indexAxis: "y", plugins: {legend: {display: false}}, scales: {x: {beginAtZero: true, ticks: {precision: 0}}}}
    });
  });
})();
