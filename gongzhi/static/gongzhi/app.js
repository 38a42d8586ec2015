/* Page-wide helpers. A table too wide for the screen scrolls sideways inside .table-responsive (always so
   in large text on a phone): keyboard users must be able to scroll it too, so every such region is
   focusable and named after its table's caption or the heading before it (axe scrollable-region-focusable). */
(function () {
  "use strict";

  function nameOf(region) {
    const caption = region.querySelector("caption");
    if (caption && caption.textContent.trim()) { return caption.textContent.trim(); }
    let el = region.previousElementSibling;
    while (el && !/^H[1-6]$/.test(el.tagName)) { el = el.previousElementSibling; }
    return el ? el.textContent.trim() : "";
  }

  function scrollable(root) {
    (root || document).querySelectorAll(".table-responsive:not([tabindex])").forEach(function (region) {
      region.setAttribute("tabindex", "0");
      const name = nameOf(region);
      if (name) {
        region.setAttribute("role", "region");
        region.setAttribute("aria-label", name);
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () { scrollable(document); });
  document.addEventListener("htmx:afterSettle", function (e) { scrollable(e.target); });
})();
