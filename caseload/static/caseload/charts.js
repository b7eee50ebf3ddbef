// Draws every chart on the page (the ui/chart.html partial) with Chart.js, from the JSON the
// partial holds (caseload/ui/charts.py), and each one HTMX brings in later. A series with a
// band gets a shaded area between its lower and upper values. Printing redraws each chart at
// the paper's width, then back. No inline script or style: the CSP allows neither.
(function () {
  "use strict";

  const PRINT_WIDTH = 680; // about the width of A4 portrait inside its margins, in CSS pixels
  const PRINT_HEIGHT = 300;
  const drawn = [];
  const seen = new WeakSet();

  function withSuffix(suffix) {
    return function (value) {
      return value + suffix;
    };
  }

  function translucent(colour) {
    return colour + "33"; // #rrggbb at 20% opacity
  }

  function datasets(spec) {
    const sets = [];
    spec.series.forEach(function (series) {
      if (series.lower !== null && series.upper !== null) {
        // Drawn first, beneath the line: the upper edge fills down to the lower one.
        sets.push({
          type: "line",
          label: "",
          data: series.lower,
          borderWidth: 0,
          pointRadius: 0,
          fill: false,
          band: true,
        });
        sets.push({
          type: "line",
          label: series.bandName,
          data: series.upper,
          borderWidth: 0,
          pointRadius: 0,
          backgroundColor: translucent(series.colour),
          fill: "-1",
          band: true,
        });
      }
      sets.push({
        type: spec.kind,
        label: series.name,
        data: series.values,
        borderColor: series.colour,
        backgroundColor: series.colour,
        borderDash: series.dash,
        borderWidth: spec.kind === "line" ? 2 : 0,
        pointRadius: spec.kind === "line" ? 2 : 0,
        fill: false,
      });
    });
    return sets;
  }

  function draw(figure) {
    if (seen.has(figure) || typeof window.Chart === "undefined") {
      return;
    }
    const source = figure.querySelector('script[type="application/json"]');
    const canvas = figure.querySelector("canvas");
    if (!source || !canvas) {
      return;
    }
    const spec = JSON.parse(source.textContent);
    const suffix = withSuffix(spec.ySuffix);
    seen.add(figure);
    figure.classList.add("caseload-chart--drawn");
    drawn.push(
      new window.Chart(canvas, {
        type: spec.kind,
        data: { labels: spec.labels, datasets: datasets(spec) },
        options: {
          animation: false, // drawn at once: for print, and for a reader who prefers no motion
          maintainAspectRatio: false,
          interaction: { mode: "index", intersect: false },
          scales: {
            x: { stacked: spec.stacked },
            y: {
              stacked: spec.stacked,
              beginAtZero: true,
              max: spec.yMax === null ? undefined : spec.yMax,
              title: { display: true, text: spec.yLabel },
              ticks: { callback: suffix },
            },
          },
          plugins: {
            legend: {
              labels: {
                usePointStyle: true, // a dot of each colour: a dashed line's box reads badly
                // A band is named once, by its upper edge, and only when it has a name.
                filter: function (item, data) {
                  const set = data.datasets[item.datasetIndex];
                  return !set.band || (set.fill === "-1" && Boolean(set.label));
                },
              },
            },
            tooltip: {
              // The band's edges are in the table beneath; the tooltip gives the values.
              filter: function (item) {
                return !item.dataset.band;
              },
              callbacks: {
                label: function (item) {
                  return item.dataset.label + ": " + suffix(item.formattedValue);
                },
              },
            },
          },
        },
      }),
    );
  }

  function drawAll(root) {
    if (root.matches && root.matches("[data-caseload-chart]")) {
      draw(root);
    }
    root.querySelectorAll("[data-caseload-chart]").forEach(draw);
  }

  window.addEventListener("beforeprint", function () {
    drawn.forEach(function (chart) {
      chart.resize(PRINT_WIDTH, PRINT_HEIGHT);
    });
  });
  window.addEventListener("afterprint", function () {
    drawn.forEach(function (chart) {
      chart.resize();
    });
  });
  document.addEventListener("htmx:load", function (event) {
    drawAll(event.detail.elt);
  });
  drawAll(document); // a deferred script: the document is parsed
})();
