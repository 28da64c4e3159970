/* Checkout: the seats × price total kept in step with the seats field (the server renders the
   first figure). The card is billing/js/card.js's. */
(function () {
  "use strict";
  var form = document.getElementById("checkout-form");
  var seatsField = form && form.querySelector("[name=quantity]");
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
