/* Symbio site shell: mobile menu, dropdown menus, dismissible messages. No framework. */
(function () {
  "use strict";

  function closeMenus(except) {
    document.querySelectorAll("details.menu[open]").forEach(function (menu) {
      if (menu !== except) menu.removeAttribute("open");
    });
  }

  function init(root) {
    // Mobile navigation toggle.
    root.querySelectorAll("[data-nav-toggle]").forEach(function (button) {
      if (button.dataset.bound) return;
      button.dataset.bound = "1";
      var panel = document.getElementById(button.getAttribute("aria-controls"));
      if (!panel) return;
      button.addEventListener("click", function () {
        var open = button.getAttribute("aria-expanded") !== "true";
        button.setAttribute("aria-expanded", String(open));
        panel.classList.toggle("is-open", open);
      });
    });

    // Only one dropdown open at a time.
    root.querySelectorAll("details.menu").forEach(function (menu) {
      if (menu.dataset.bound) return;
      menu.dataset.bound = "1";
      menu.addEventListener("toggle", function () {
        if (menu.open) closeMenus(menu);
      });
    });

    // Dismissible alerts.
    root.querySelectorAll("[data-dismiss]").forEach(function (button) {
      if (button.dataset.bound) return;
      button.dataset.bound = "1";
      button.addEventListener("click", function () {
        var target = button.closest(button.getAttribute("data-dismiss"));
        if (!target) return;
        var container = target.parentElement;
        target.remove();
        if (container && container.matches(".messages-list") && !container.children.length) {
          container.closest(".messages").remove();
        }
      });
    });
  }

  // Close dropdowns on outside click and on Escape (returning focus to the toggle).
  document.addEventListener("click", function (event) {
    if (!event.target.closest("details.menu")) closeMenus(null);
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var open = document.querySelector("details.menu[open]");
    if (open) {
      open.removeAttribute("open");
      var summary = open.querySelector("summary");
      if (summary) summary.focus();
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    init(document);
  });
  // Content swapped in by htmx gets the same behaviour.
  document.addEventListener("htmx:load", function (event) {
    init(event.target);
  });
})();
