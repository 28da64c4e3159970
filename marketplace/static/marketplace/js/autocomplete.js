/* Search autocomplete (ARIA 1.2 combobox with a listbox popup) and search click-through beacons.
 *
 * Enhances the header search box (form.header-search input[name=q]) and any
 * input[data-autocomplete="<suggest url>"]. Suggestions come from /search/suggest/?q= (JSON, at
 * most 10: listings and categories, in both languages). Keyboard: ↓/↑ move through the options,
 * Enter opens the highlighted one (or searches), Escape closes the list (a second Escape clears
 * the box), Tab leaves. Without JavaScript the box is a plain GET search form.
 *
 * Search results ([data-search-hit][data-click-url]) report which result was opened with
 * navigator.sendBeacon, so result links stay plain links to each listing's canonical URL.
 */
(function () {
  "use strict";
  if (window.symbioAutocomplete) return;
  window.symbioAutocomplete = true;

  var DEBOUNCE_MS = 150;
  var counter = 0;

  function injectStyles() {
    if (document.getElementById("symbio-autocomplete-style")) return;
    var style = document.createElement("style");
    style.id = "symbio-autocomplete-style";
    style.textContent =
      ".ac-wrap{position:relative}" +
      ".ac-list{position:absolute;z-index:60;left:0;right:0;top:calc(100% + 4px);margin:0;padding:4px;list-style:none;" +
      "background:var(--c-surface,#fff);border:1px solid var(--c-border-strong,#c5cdd8);border-radius:10px;" +
      "box-shadow:0 10px 30px rgba(15,23,42,.16);max-height:min(70vh,420px);overflow-y:auto;min-width:260px}" +
      ".ac-list[hidden]{display:none}" +
      ".ac-option{display:flex;gap:.5rem;align-items:baseline;padding:.45rem .6rem;border-radius:6px;cursor:pointer;" +
      "color:var(--c-text,#0f172a);font-size:.9rem;line-height:1.35}" +
      ".ac-option[aria-selected=true],.ac-option:hover{background:var(--brand-primary-soft,#e6edff)}" +
      ".ac-option__label{font-weight:600}" +
      ".ac-option__alt,.ac-option__meta{color:var(--c-muted,#5b6675);font-size:.8rem}" +
      ".ac-option__kind{margin-left:auto;font-size:.7rem;text-transform:uppercase;letter-spacing:.04em;" +
      "color:var(--c-muted,#5b6675)}" +
      ".ac-status{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}";
    document.head.appendChild(style);
  }

  // Translated words come from <template id="autocomplete-text" data-…> in base.html (Django i18n).
  function words(key, fallback) {
    var holder = document.getElementById("autocomplete-text");
    return (holder && holder.dataset[key]) || fallback;
  }

  function text(tag, className, value) {
    var el = document.createElement(tag);
    if (className) el.className = className;
    el.textContent = value;
    return el;
  }

  function suggestUrlFor(input) {
    if (input.dataset.autocomplete) return input.dataset.autocomplete;
    var form = input.form;
    if (!form) return null;
    var action = form.getAttribute("action") || "/search/";
    return action.replace(/\/?$/, "/") + "suggest/";
  }

  function Combobox(input, url) {
    this.input = input;
    this.url = url;
    this.items = [];
    this.active = -1;
    this.timer = null;
    this.controller = null;
    this.lastQuery = null;
    this.build();
  }

  Combobox.prototype.build = function () {
    var input = this.input;
    var id = "ac-list-" + ++counter;
    var wrap = input.parentElement;
    wrap.classList.add("ac-wrap");
    this.list = document.createElement("ul");
    this.list.id = id;
    this.list.className = "ac-list";
    this.list.setAttribute("role", "listbox");
    var label = input.labels && input.labels.length ? input.labels[0].textContent.trim() : input.placeholder;
    this.list.setAttribute("aria-label", label || "Suggestions");
    this.list.hidden = true;
    wrap.appendChild(this.list);
    this.status = document.createElement("div");
    this.status.className = "ac-status";
    this.status.setAttribute("role", "status");
    this.status.setAttribute("aria-live", "polite");
    wrap.appendChild(this.status);

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", id);
    input.setAttribute("autocomplete", "off");

    var self = this;
    input.addEventListener("input", function () {
      self.schedule();
    });
    input.addEventListener("keydown", function (event) {
      self.onKey(event);
    });
    input.addEventListener("blur", function () {
      window.setTimeout(function () {
        self.close();
      }, 150);
    });
    // Suggestions are a help while typing: they must not trigger the search app's htmx "change".
    input.addEventListener("change", function (event) {
      if (self.suppressChange) {
        event.stopPropagation();
        self.suppressChange = false;
      }
    });
    this.list.addEventListener("mousedown", function (event) {
      event.preventDefault(); // keep focus in the input
    });
    this.list.addEventListener("click", function (event) {
      var option = event.target.closest("[role=option]");
      if (option) self.choose(Number(option.dataset.index));
    });
  };

  Combobox.prototype.schedule = function () {
    var self = this;
    window.clearTimeout(this.timer);
    this.timer = window.setTimeout(function () {
      self.fetch();
    }, DEBOUNCE_MS);
  };

  Combobox.prototype.fetch = function () {
    var query = this.input.value.trim();
    if (!query) {
      this.lastQuery = "";
      this.render([]);
      return;
    }
    if (query === this.lastQuery) return;
    this.lastQuery = query;
    if (this.controller) this.controller.abort();
    this.controller = window.AbortController ? new AbortController() : null;
    var self = this;
    var url = this.url + (this.url.indexOf("?") === -1 ? "?" : "&") + "q=" + encodeURIComponent(query);
    fetch(url, {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
      signal: this.controller ? this.controller.signal : undefined,
    })
      .then(function (response) {
        return response.ok ? response.json() : { suggestions: [] };
      })
      .then(function (data) {
        if (self.input.value.trim() === query) self.render((data.suggestions || []).slice(0, 10));
      })
      .catch(function () {
        /* aborted or offline: keep what is shown */
      });
  };

  Combobox.prototype.render = function (items) {
    this.items = items;
    this.active = -1;
    this.list.textContent = "";
    this.input.removeAttribute("aria-activedescendant");
    for (var i = 0; i < items.length; i++) {
      var item = items[i];
      var li = document.createElement("li");
      li.id = this.list.id + "-" + i;
      li.className = "ac-option";
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", "false");
      li.dataset.index = String(i);
      li.appendChild(text("span", "ac-option__label", item.label));
      if (item.alt) li.appendChild(text("span", "ac-option__alt", item.alt));
      var kind = item.kind === "category" ? words("category", "Category") : words("app", "App");
      li.appendChild(text("span", "ac-option__kind", kind));
      this.list.appendChild(li);
    }
    var open = items.length > 0;
    this.list.hidden = !open;
    this.input.setAttribute("aria-expanded", String(open));
    if (this.input.value.trim()) {
      this.status.textContent = !open
        ? words("none", "No suggestions")
        : items.length === 1
          ? words("one", "One suggestion")
          : words("many", "Suggestions: %(count)s").replace("%(count)s", String(items.length));
    }
  };

  Combobox.prototype.highlight = function (index) {
    var options = this.list.querySelectorAll("[role=option]");
    if (!options.length) return;
    if (index < -1) index = options.length - 1;
    if (index >= options.length) index = -1;
    this.active = index;
    for (var i = 0; i < options.length; i++) {
      options[i].setAttribute("aria-selected", String(i === index));
    }
    if (index >= 0) {
      this.input.setAttribute("aria-activedescendant", options[index].id);
      options[index].scrollIntoView({ block: "nearest" });
    } else {
      this.input.removeAttribute("aria-activedescendant");
    }
  };

  Combobox.prototype.open = function () {
    return !this.list.hidden;
  };

  Combobox.prototype.close = function () {
    this.list.hidden = true;
    this.active = -1;
    this.input.setAttribute("aria-expanded", "false");
    this.input.removeAttribute("aria-activedescendant");
  };

  Combobox.prototype.choose = function (index) {
    var item = this.items[index];
    if (!item || !item.url) return;
    this.close();
    window.location.assign(item.url);
  };

  Combobox.prototype.onKey = function (event) {
    switch (event.key) {
      case "ArrowDown":
        event.preventDefault();
        if (!this.open()) {
          if (this.items.length) {
            this.list.hidden = false;
            this.input.setAttribute("aria-expanded", "true");
          } else {
            this.lastQuery = null;
            this.fetch();
            return;
          }
        }
        this.highlight(this.active + 1);
        break;
      case "ArrowUp":
        if (!this.open()) return;
        event.preventDefault();
        this.highlight(this.active - 1);
        break;
      case "Enter":
        if (this.open() && this.active >= 0) {
          event.preventDefault();
          this.choose(this.active);
        } else {
          this.close();
        }
        break;
      case "Escape":
        if (this.open()) {
          event.preventDefault();
          this.close();
        } else if (this.input.value) {
          event.preventDefault();
          this.input.value = "";
          this.lastQuery = "";
          this.suppressChange = true;
        }
        break;
      case "Tab":
        this.close();
        break;
      default:
        break;
    }
  };

  function enhance(root) {
    var inputs = root.querySelectorAll("input[data-autocomplete], form.header-search input[name=q]");
    for (var i = 0; i < inputs.length; i++) {
      var input = inputs[i];
      if (input.dataset.acBound) continue;
      var url = suggestUrlFor(input);
      if (!url) continue;
      input.dataset.acBound = "1";
      new Combobox(input, url);
    }
  }

  // Click-through: which result (and position) was opened from a search.
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[href]");
    if (!link) return;
    var hit = link.closest("[data-search-hit][data-click-url]");
    if (!hit || link.closest("form button")) return;
    var target = hit.getAttribute("data-href");
    if (target && link.getAttribute("href") !== target && link.pathname !== new URL(target, location.href).pathname) return;
    var url = hit.getAttribute("data-click-url");
    if (navigator.sendBeacon) {
      var parts = url.split("?");
      var body = new URLSearchParams(parts[1] || "");
      navigator.sendBeacon(parts[0], body);
    }
  });

  function start() {
    injectStyles();
    enhance(document);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
  document.addEventListener("htmx:load", function (event) {
    enhance(event.target);
  });
})();
