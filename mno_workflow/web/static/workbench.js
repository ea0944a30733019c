// SOP workbench: keep the line-number gutter next to the YAML textarea, and go to a diagnostic's line.
(function () {
  function sync() {
    var ta = document.getElementById("source"), g = document.getElementById("gutter");
    if (ta && g) { g.scrollTop = ta.scrollTop; }
  }
  document.addEventListener("scroll", function (e) { if (e.target && e.target.id === "source") sync(); }, true);
  document.addEventListener("htmx:afterSwap", sync);
  document.addEventListener("click", function (e) {
    var a = e.target.closest && e.target.closest("[data-goto]");
    var ta = document.getElementById("source");
    if (!a || !ta) return;
    e.preventDefault();
    var line = parseInt(a.getAttribute("data-goto"), 10), lines = ta.value.split("\n"), pos = 0;
    for (var i = 0; i < line - 1 && i < lines.length; i++) pos += lines[i].length + 1;
    ta.focus();
    ta.setSelectionRange(pos, pos + (lines[line - 1] || "").length);
    ta.scrollTop = (line - 3) * (ta.scrollHeight / Math.max(lines.length, 1));
    sync();
  });
})();
