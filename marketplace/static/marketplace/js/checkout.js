/* Checkout: confirm the card with Stripe.js (a SetupIntent), then post the payment method id.
   Works with real Stripe.js and localstripe's stand-in (same calls). */
(function () {
  "use strict";
  var form = document.getElementById("checkout-form");
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
