// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  // The first error summary gets focus, so keyboard and screen-reader users land on what to fix.
  function focusErrorSummary() {
    var summary = document.querySelector(".error-summary, .guard-warning, #import-errors");
    if (summary) { summary.focus(); }
  }

  // A search box above the long organisation <select> narrows its options while typing.
  function enhanceOrganisationPicker(container) {
    var select = container.querySelector("select");
    if (!select) { return; }
    var wrapper = document.createElement("div");
    wrapper.className = "kern-form-input organisation-filter";
    var filterId = select.id + "-filter";
    var filterLabel = document.createElement("label");
    filterLabel.className = "kern-label";
    filterLabel.htmlFor = filterId;
    filterLabel.textContent = container.getAttribute("data-filter-label") || "Organisation suchen";
    var input = document.createElement("input");
    input.type = "search";
    input.id = filterId;
    input.className = "kern-form-input__input";
    input.setAttribute("autocomplete", "off");
    input.setAttribute("aria-controls", select.id);
    wrapper.appendChild(filterLabel);
    wrapper.appendChild(input);
    container.parentNode.insertBefore(wrapper, container);

    input.addEventListener("input", function () {
      var needle = input.value.trim().toLowerCase();
      var firstMatch = null;
      Array.prototype.forEach.call(select.querySelectorAll("optgroup"), function (group) {
        var visible = 0;
        Array.prototype.forEach.call(group.querySelectorAll("option"), function (option) {
          var match = !needle || option.textContent.toLowerCase().indexOf(needle) !== -1 ||
            group.label.toLowerCase().indexOf(needle) !== -1;
          option.hidden = !match;
          option.disabled = !match;
          if (match) { visible += 1; if (!firstMatch) { firstMatch = option; } }
        });
        group.hidden = visible === 0;
      });
      if (needle && firstMatch && (select.selectedIndex <= 0 || select.options[select.selectedIndex].hidden)) {
        firstMatch.selected = true;
      }
    });
  }

  // The header's menu is a <details>; wide screens show its content by CSS (::details-content). A browser
  // without that pseudo-element gets the menu opened on wide screens instead.
  function openMenuWhenWide() {
    var menu = document.querySelector(".site-menu");
    if (!menu || !window.matchMedia || (window.CSS && CSS.supports("selector(::details-content)"))) { return; }
    var wide = window.matchMedia("(min-width: 48rem)");
    function follow() { if (wide.matches) { menu.open = true; } }
    follow();
    if (wide.addEventListener) { wide.addEventListener("change", follow); }
  }

  document.addEventListener("DOMContentLoaded", function () {
    focusErrorSummary();
    openMenuWhenWide();
    Array.prototype.forEach.call(document.querySelectorAll("[data-organisation-picker]"), enhanceOrganisationPicker);
  });
})();
