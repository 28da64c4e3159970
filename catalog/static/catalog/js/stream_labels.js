// Names the inputs of StreamField blocks in the page editor (issue #18: the listing editor's
// description had no label, axe "label" / "aria-input-field-name"). Wagtail shows a block's type
// ("Paragraph", "Heading") as the heading of its panel but ties no label to the text box or the
// rich-text editor inside it; each such control gets aria-labelledby = the field's heading and
// the block's heading, e.g. "Description (English) Paragraph". Controls that already have a
// name are left alone. Blocks are added while editing, so new ones are named as they appear.
(function () {
  "use strict";
  var CONTROLS =
    'input:not([type="hidden"]), textarea, select, [contenteditable="true"][role="textbox"]';

  function unnamed(el) {
    if (el.getAttribute("aria-label") || el.getAttribute("aria-labelledby")) return false;
    return !(el.labels && el.labels.length);
  }

  function name(root) {
    var children = root.querySelectorAll("[data-streamfield-child]");
    for (var i = 0; i < children.length; i++) {
      var child = children[i];
      var section = child.querySelector("section[data-panel][aria-labelledby]");
      if (!section) continue;
      var ids = [section.getAttribute("aria-labelledby")];
      var outer = child.parentElement && child.parentElement.closest("section[data-panel][aria-labelledby]");
      if (outer) ids.unshift(outer.getAttribute("aria-labelledby"));
      var controls = section.querySelectorAll(CONTROLS);
      for (var j = 0; j < controls.length; j++) {
        var control = controls[j];
        if (control.closest("[data-streamfield-child]") !== child || !unnamed(control)) continue;
        control.setAttribute("aria-labelledby", ids.join(" "));
      }
    }
  }

  var pending = false;
  function schedule() {
    if (pending) return;
    pending = true;
    window.requestAnimationFrame(function () {
      pending = false;
      name(document);
    });
  }

  function start() {
    name(document);
    new MutationObserver(schedule).observe(document.body, { childList: true, subtree: true });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
