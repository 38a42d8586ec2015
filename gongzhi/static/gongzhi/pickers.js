/* Searchable pickers: every <select data-gz-search> becomes a tom-select (type to narrow a long list of
   people, units, compounds). With data-gz-filter-by="<id of another select>" and data-gz-groups
   ({option value: value of that select}) only the options belonging to the chosen value are offered,
   e.g. the 承办人 of the chosen 承办组织. Without JavaScript the select works as it is. */
(function () {
  "use strict";

  function initPicker(select) {
    if (select.tomselect || typeof TomSelect === "undefined") { return; }
    const none = document.createElement("div");
    none.className = "no-results";
    none.textContent = select.dataset.gzNone || "";  // the words come translated from the server
    const groups = select.dataset.gzGroups ? JSON.parse(select.dataset.gzGroups) : null;
    const by = select.dataset.gzFilterBy ? document.getElementById(select.dataset.gzFilterBy) : null;
    const all = Array.from(select.options).map(function (o) { return {value: o.value, text: o.text}; });
    const ts = new TomSelect(select, {
      allowEmptyOption: true,
      create: false,
      maxOptions: null,
      placeholder: select.dataset.gzPlaceholder || "",
      searchField: ["text"],
      render: {no_results: function () { return none.cloneNode(true); }},
    });
    // the picker's own input (role combobox, labelled by the <label>) is the control now; the original
    // select, visually hidden and out of the tab order, is hidden from assistive technology too
    select.setAttribute("aria-hidden", "true");
    if (!(by && groups)) { return; }
    function apply() {
      const chosen = by.value;
      const keep = all.filter(function (o) { return o.value === "" || groups[o.value] === chosen; });
      const current = ts.getValue();
      ts.clear(true);
      ts.clearOptions();
      ts.addOptions(keep);
      if (keep.some(function (o) { return o.value === current; })) { ts.setValue(current, true); }
      ts.refreshOptions(false);
      ts.close();
    }
    by.addEventListener("change", apply);
    apply();
  }

  function initAll(root) {
    (root || document).querySelectorAll("select[data-gz-search]").forEach(initPicker);
  }

  document.addEventListener("DOMContentLoaded", function () { initAll(document); });
  document.addEventListener("htmx:afterSettle", function (e) { initAll(e.target); });
})();
