// Optional: the report reads and works without it (tooltips are CSS). Escape hides an open
// tooltip until the pointer or the focus moves to something else (WCAG 1.4.13: dismissible).
(function () {
  "use strict";
  var off = null;
  document.addEventListener("keydown", function (e) {
    if (e.key !== "Escape") return;
    var open = document.querySelector(".m:focus-within") || document.querySelector(".m:hover");
    if (open) { open.classList.add("tip-off"); off = open; }
  });
  function reset(e) {
    if (off && !off.contains(e.target)) { off.classList.remove("tip-off"); off = null; }
  }
  document.addEventListener("focusin", reset);
  document.addEventListener("mouseover", reset);
})();
