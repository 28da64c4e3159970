/* Checkout: confirm the card with Stripe.js (a SetupIntent), then post the payment method id.
   Works with real Stripe.js and localstripe's stand-in (same calls). */
(function () {
  "use strict";
  var form = document.getElementById("checkout-form");
  // Seats × price total, kept in step with the seats field (the server renders the first figure).
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
  if (!form || typeof Stripe === "undefined") return;
  var stripe = Stripe(form.dataset.key);
  var elements = stripe.elements();
  var card = elements.create("card");
  card.mount("#card-element");
  var errors = document.getElementById("card-errors");
  var button = form.querySelector("[type=submit]");
  var busy = false;

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (busy) return;
    busy = true;
    button.disabled = true;
    button.setAttribute("aria-busy", "true");
    errors.textContent = "";
    stripe
      .confirmCardSetup(form.dataset.secret, { payment_method: { card: card } })
      .then(function (result) {
        if (result.error) {
          var code = result.error.code || "";
          errors.textContent = code === "card_declined" ? form.dataset.declined : result.error.message || form.dataset.failed;
          busy = false;
          button.disabled = false;
          button.removeAttribute("aria-busy");
          return;
        }
        form.elements.payment_method.value = result.setupIntent.payment_method;
        form.submit();
      })
      .catch(function () {
        errors.textContent = form.dataset.failed;
        busy = false;
        button.disabled = false;
        button.removeAttribute("aria-busy");
      });
  });
})();
