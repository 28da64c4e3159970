/* Checkout: the seats × price total kept in step with the seats field (the server renders the
   first figure). The card is billing/js/card.js's. */
(function () {
  "use strict";
  var form = document.getElementById("checkout-form");
  var seatsField = form && form.querySelector("[name=quantity]");
  // Only the total in the chosen currency (both are rendered, for pages without script).
  var currencyField = form && form.querySelector("select[name=currency]");
  function showChosenCurrency() {
    var shown = 0;
    form.querySelectorAll(".seat-total").forEach(function (node) {
      node.hidden = node.dataset.currency !== currencyField.value;
      var separator = node.querySelector("[data-separator]");
      if (separator) separator.hidden = shown === 0;
      if (!node.hidden) shown += 1;
    });
  }
  if (currencyField) {
    currencyField.addEventListener("change", showChosenCurrency);
    showChosenCurrency();
  }
  if (seatsField && seatsField.type !== "hidden") {
    seatsField.addEventListener("input", function () {
      var seats = Math.max(parseInt(seatsField.value, 10) || 1, 1);
      form.querySelectorAll(".seat-total").forEach(function (node) {
        var total = Number(node.dataset.unit) * seats;
        var lang = node.dataset.lang === "en" ? "en-US" : "zh-CN";
        node.querySelector("[data-seats]").textContent = seats;
        node.querySelector("[data-total]").textContent = new Intl.NumberFormat(lang, {
          style: "currency", currency: node.dataset.currency
        }).format(total);
      });
    });
  }
})();
