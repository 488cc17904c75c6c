// Render every chart of the page from its inline Vega-Lite spec (vega-embed, served locally).
(function () {
  "use strict";
  var sv = {decimal: ",", thousands: "\u00a0", grouping: [3], currency: ["", "\u00a0kr"]};
  var lang = document.documentElement.lang;
  var charts = document.querySelectorAll("div.vega[data-spec]");
  var pending = charts.length;
  function done() {
    pending -= 1;
    if (pending <= 0) { document.body.setAttribute("data-charts", "ready"); }
  }
  if (!pending) { document.body.setAttribute("data-charts", "ready"); }
  charts.forEach(function (el) {
    var spec = JSON.parse(document.getElementById(el.getAttribute("data-spec")).textContent);
    var opts = {actions: false, renderer: "svg"};
    if (lang === "sv") { opts.formatLocale = sv; }
    vegaEmbed(el, spec, opts).then(done).catch(function (err) {
      el.textContent = String(err);
      el.classList.add("error");
      done();
    });
  });
})();
