/* Draws every chart of the page from its data-figure attribute (the figure is built on the
   server; the Content Security Policy allows no inline script). Each chart's figures are
   also in the table beside it, so the page reads well without JavaScript. */
(function () {
  "use strict";

  function draw() {
    if (typeof window.Plotly === "undefined") {
      return;
    }
    var charts = document.querySelectorAll("[data-figure]");
    Array.prototype.forEach.call(charts, function (el) {
      var figure;
      try {
        figure = JSON.parse(el.getAttribute("data-figure"));
      } catch (e) {
        return;
      }
      window.Plotly.newPlot(el, figure.data, figure.layout, {
        displayModeBar: false,
        responsive: true
      });
      el.classList.add("dash-chart-drawn");
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
