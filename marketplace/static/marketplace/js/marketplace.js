/* Customer pages: screenshot gallery (click, arrow keys, prev/next) and filter forms that
 * apply on change. Everything works without it: thumbnails link to the full image and the
 * filter form has an Apply button. */
(function () {
  "use strict";

  function initGallery(gallery) {
    if (gallery.dataset.bound) return;
    gallery.dataset.bound = "1";
    var stage = gallery.querySelector("[data-gallery-image]");
    var caption = gallery.querySelector("[data-gallery-caption]");
    var status = gallery.querySelector("[data-gallery-status]");
    var thumbs = Array.prototype.slice.call(gallery.querySelectorAll("[data-gallery-thumb]"));
    if (!stage || !thumbs.length) return;
    var current = 0;

    function show(index, focus) {
      current = (index + thumbs.length) % thumbs.length;
      var thumb = thumbs[current];
      stage.src = thumb.getAttribute("href");
      stage.alt = thumb.dataset.alt || "";
      if (caption) {
        caption.textContent = thumb.dataset.caption || "";
        caption.hidden = !thumb.dataset.caption;
      }
      if (status) status.textContent = thumb.dataset.position || "";
      thumbs.forEach(function (t, i) {
        t.setAttribute("aria-current", i === current ? "true" : "false");
        t.tabIndex = i === current ? 0 : -1;
      });
      if (focus) thumb.focus();
    }

    thumbs.forEach(function (thumb, i) {
      thumb.addEventListener("click", function (event) {
        event.preventDefault();
        show(i, false);
      });
      thumb.addEventListener("keydown", function (event) {
        if (event.key === "ArrowRight" || event.key === "ArrowDown") {
          event.preventDefault();
          show(i + 1, true);
        } else if (event.key === "ArrowLeft" || event.key === "ArrowUp") {
          event.preventDefault();
          show(i - 1, true);
        } else if (event.key === "Home") {
          event.preventDefault();
          show(0, true);
        } else if (event.key === "End") {
          event.preventDefault();
          show(thumbs.length - 1, true);
        }
      });
    });
    gallery.querySelectorAll("[data-gallery-step]").forEach(function (button) {
      button.addEventListener("click", function () {
        show(current + parseInt(button.dataset.galleryStep, 10), false);
      });
    });
    show(0, false);
  }

  function initFilters(form) {
    if (form.dataset.bound) return;
    form.dataset.bound = "1";
    form.addEventListener("change", function () {
      if (window.htmx) {
        window.htmx.trigger(form, "submit");
      } else {
        form.submit();
      }
    });
  }

  /* The search filters' drawer on small screens: a button opens it, Escape, the close button or
   * "Show results" close it; it stays open while htmx swaps the results behind it. */
  var filtersOpen = false;

  function setFilters(open, focus) {
    var panel = document.getElementById("search-filters");
    var toggle = document.querySelector("[data-filters-toggle]");
    if (!panel || !toggle) return;
    filtersOpen = open;
    panel.classList.toggle("is-open", open);
    document.documentElement.classList.toggle("filters-open", open);
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    if (!focus) return;
    if (open) {
      var first = panel.querySelector("input, button, a[href]");
      if (first) first.focus();
    } else {
      toggle.focus();
    }
  }

  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-filters-toggle]")) {
      setFilters(!filtersOpen, true);
    } else if (event.target.closest("[data-filters-close]")) {
      setFilters(false, true);
    }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && filtersOpen) setFilters(false, true);
  });
  document.addEventListener("htmx:afterSwap", function () {
    if (filtersOpen) setFilters(true, false);
  });

  function init(root) {
    root.querySelectorAll("[data-gallery]").forEach(initGallery);
    root.querySelectorAll("[data-autosubmit]").forEach(initFilters);
  }

  document.addEventListener("DOMContentLoaded", function () {
    init(document);
  });
  document.addEventListener("htmx:load", function (event) {
    init(event.target);
  });
})();
