// The dashboard's "Centre" charts (the 12315 centre's figures), drawn by the vendored Chart.js from the JSON
// the page carries (centre-data). Each chart has its table in the section's "as tables" part.
(function () {
  "use strict";
  var source = document.getElementById("centre-data");
  if (!source || !window.Chart) return;
  var data = JSON.parse(source.textContent);
  var palette = ["#0b5cad", "#e07b00", "#2e8540", "#c0392b", "#7d3c98", "#16a085", "#8e6e00", "#5d6d7e", "#d35400"];
  var colours = {met_in_time: "#2e8540", met_late: "#e07b00", missed: "#c0392b", running: "#7f8c9a"};
  var counts = {beginAtZero: true, ticks: {precision: 0}};

  function draw(id, config) {
    var canvas = document.getElementById(id);
    if (canvas) new Chart(canvas, config);
  }

  function bars(id, series, colour, horizontal) {
    var tooltip = {};
    if (series.titles) {
      // A ground's bar is named by its number, a channel's on three lines; the tooltip gives the whole name.
      tooltip = {callbacks: {title: function (items) { return series.titles[items[0].dataIndex]; }}};
    }
    draw(id, {
      type: "bar",
      data: {labels: series.labels, datasets: [{label: series.label, data: series.data, backgroundColor: colour}]},
      options: {
        indexAxis: horizontal ? "y" : "x",
        plugins: {legend: {display: false}, tooltip: tooltip},
        scales: horizontal ? {x: counts} : {y: counts}
      }
    });
  }

  bars("chart-centre-channels", data.channels, palette, true);
  draw("chart-centre-decisions", {
    type: "doughnut",
    data: {labels: data.decisions.labels, datasets: [{data: data.decisions.data, backgroundColor: ["#7f8c9a", palette[0], palette[2], palette[1], palette[3], "#c9d1da"]}]}
  });
  bars("chart-centre-refused", data.refused, palette[3], false);
  bars("chart-centre-terminated", data.terminated, palette[1], false);
  draw("chart-centre-duties", {
    type: "bar",
    data: {
      labels: data.duties.labels,
      datasets: data.duties.series.map(function (s) {
        return {label: s.label, data: s.data, backgroundColor: colours[s.key]};
      })
    },
    options: {scales: {x: {stacked: true}, y: {stacked: true, beginAtZero: true, ticks: {precision: 0}}}}
  });
  bars("chart-centre-satisfaction", data.satisfaction, palette[0], false);
})();
