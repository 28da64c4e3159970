/* A card payment form (form[data-card-form], billing/includes/card_*.html): confirm the card with
   Stripe.js (a SetupIntent), then post the payment method id. Used by checkout, the card update
   and milestone payments. Works with real Stripe.js and localstripe's stand-in (same calls). */
(function () {
  "use strict";
  var form = document.querySelector("form[data-card-form]");
  if (!form || typeof Stripe === "undefined") return;
  var stripe = Stripe(form.dataset.key);
  var card = stripe.elements().create("card");
  card.mount("#card-element");
  var errors = document.getElementById("card-errors");
  var button = form.querySelector("[type=submit]");
  var busy = false;

  function release(message) {
    errors.textContent = message;
    busy = false;
    button.disabled = false;
    button.removeAttribute("aria-busy");
  }

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
          release(code === "card_declined" ? form.dataset.declined : result.error.message || form.dataset.failed);
          return;
        }
        form.elements.payment_method.value = result.setupIntent.payment_method;
        form.submit();
      })
      .catch(function () {
        release(form.dataset.failed);
      });
  });
})();
