// Live session guide: the countdown of the current phase (the end time comes from the server, so a reload
// or a second device shows the same time) and resetting small forms after htmx posted them.
(function () {
  "use strict";

  function pad(n) {
    return String(n).padStart(2, "0");
  }

  function format(ms) {
    var overtime = ms < 0;
    var total = Math.floor(Math.abs(ms) / 1000);
    var text = pad(Math.floor(total / 60)) + ":" + pad(total % 60);
    return overtime ? "+" + text : text;
  }

  function tick() {
    document.querySelectorAll("[data-ends-at]").forEach(function (el) {
      if (!el.dataset.clientAt) {
        el.dataset.clientAt = String(Date.now());
      }
      var serverNow = Number(el.dataset.now) + (Date.now() - Number(el.dataset.clientAt));
      var remaining = Number(el.dataset.endsAt) - serverNow;
      el.textContent = format(remaining);
      el.classList.toggle("text-danger", remaining < 0);
    });
  }

  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.detail.elt;
    if (form && form.matches && form.matches("form[data-reset-on-success]") && event.detail.successful) {
      form.reset();
    }
  });
  document.addEventListener("htmx:afterSwap", tick);
  tick();
  setInterval(tick, 1000);
})();
