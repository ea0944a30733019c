// MNO Workflow: tiny progressive enhancements (no inline script anywhere; CSP script-src 'self').
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    // Presentation mode: arrow keys move between slides, a button asks for full screen.
    if (document.body.classList.contains("presentation")) {
      document.addEventListener("keydown", function (ev) {
        var target = null;
        if (ev.key === "ArrowRight" || ev.key === "PageDown" || ev.key === " ") target = document.getElementById("next");
        if (ev.key === "ArrowLeft" || ev.key === "PageUp") target = document.getElementById("prev");
        if (target) { ev.preventDefault(); window.location.href = target.getAttribute("href"); }
      });
      var fs = document.getElementById("fullscreen");
      if (fs && document.documentElement.requestFullscreen) {
        fs.addEventListener("click", function () { document.documentElement.requestFullscreen(); });
      }
    }
  });
  // After htmx loads an action form, move the focus to its first field.
  document.addEventListener("htmx:afterSwap", function (ev) {
    var first = ev.target.querySelector("input:not([type=hidden]), select, textarea");
    if (first) first.focus();
  });
})();
