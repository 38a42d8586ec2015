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

/* Behaviour the markup asks for with data attributes (the Content-Security-Policy allows no inline script, so no
   onclick): data-gz-toggle="<id>" on a button shows and hides that element (the menu on a phone) and keeps
   aria-expanded true to it; data-confirm="<question>" on a submit button asks before the form is sent. */
(function () {
  "use strict";

  document.addEventListener("click", function (e) {
    const toggler = e.target.closest("[data-gz-toggle]");
    if (toggler) {
      const menu = document.getElementById(toggler.dataset.gzToggle);
      if (menu) {
        menu.classList.toggle("show");
        toggler.setAttribute("aria-expanded", menu.classList.contains("show") ? "true" : "false");
      }
      return;
    }
    const asking = e.target.closest("button[data-confirm], input[data-confirm]");
    if (asking && !window.confirm(asking.dataset.confirm)) {
      e.preventDefault();
    }
  });
})();
