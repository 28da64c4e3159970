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

  // A table wider than the screen scrolls inside its .table-wrap: keyboard users reach it with
  // Tab and screen readers hear what it holds (its caption, else the nearest heading).
  function scrollables(root) {
    (root.querySelectorAll ? root : document).querySelectorAll(".table-wrap").forEach(function (wrap) {
      var scrolls = wrap.scrollWidth > wrap.clientWidth + 1 || wrap.scrollHeight > wrap.clientHeight + 1;
      if (!scrolls) {
        if (wrap.dataset.scrollable) {
          ["tabindex", "role", "aria-label", "data-scrollable"].forEach(function (a) { wrap.removeAttribute(a); });
        }
        return;
      }
      if (wrap.dataset.scrollable) return;
      var caption = wrap.querySelector("caption");
      var section = wrap.closest("section, article, main");
      var heading = section && section.querySelector("h1, h2, h3");
      var label = ((caption && caption.textContent) || (heading && heading.textContent) || "").trim();
      wrap.setAttribute("tabindex", "0");
      wrap.setAttribute("role", "region");
      if (label) wrap.setAttribute("aria-label", label);
      wrap.dataset.scrollable = "1";
    });
  }
  var resizing = null;
  window.addEventListener("resize", function () {
    window.clearTimeout(resizing);
    resizing = window.setTimeout(function () { scrollables(document); }, 150);
  });

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
    scrollables(document);
  });
  // Content swapped in by htmx gets the same behaviour.
  document.addEventListener("htmx:load", function (event) {
    init(event.target);
    scrollables(event.target);
  });
})();
