/* Dashboards: draws every <canvas data-chart-source="id"> from the JSON in <script id="id"
 * type="application/json"> (rendered by Django's json_script). The data is never executed, so the page
 * keeps its strict CSP. The table next to each chart stays available (collapsed once the chart is drawn). */
(function () {
  "use strict";

  function dataset(spec, stacked) {
    var set = {
      label: spec.label,
      data: spec.data,
      borderColor: spec.color,
      backgroundColor: spec.color,
      spanGaps: true,
      tension: 0.2,
      pointRadius: 3,
    };
    if (spec.dashed) {
      set.borderDash = [6, 4];
      set.pointRadius = 0;
      set.stepped = true;
    }
    if (stacked) {
      set.stack = "all";
    }
    return set;
  }

  function draw(canvas) {
    var source = document.getElementById(canvas.dataset.chartSource);
    if (!source || typeof Chart === "undefined") {
      return;
    }
    var spec = JSON.parse(source.textContent);
    if (!spec.labels || spec.labels.length === 0) {
      return;
    }
    var valueAxis = { beginAtZero: true, stacked: !!spec.stacked };
    if (spec.max) {
      valueAxis.max = spec.max;
    }
    if (spec.min) {
      valueAxis.min = spec.min;
      valueAxis.beginAtZero = false;
    }
    if (spec.unit) {
      valueAxis.ticks = {
        callback: function (value) {
          return value + spec.unit;
        },
      };
    }
    var chart = new Chart(canvas, {
      type: spec.type,
      data: {
        labels: spec.labels,
        datasets: spec.datasets.map(function (d) {
          return dataset(d, spec.stacked);
        }),
      },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        scales: { x: { stacked: !!spec.stacked }, y: valueAxis },
        plugins: { legend: { position: "bottom" } },
      },
    });
    canvas.dataset.chartReady = String(chart.data.labels.length);
    var table = canvas.closest("figure") && canvas.closest("figure").querySelector("details[data-chart-table]");
    if (table) {
      table.open = false;
    }
  }

  function drawAll() {
    document.querySelectorAll("canvas[data-chart-source]").forEach(draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
