/* The requirement form shows the partner choice that fits the chosen mode: one partner for
   "directed", several for "private invitation", the claim limit for "open claim". Without
   JavaScript every field stays visible (their help texts say when they apply). */
(function () {
  "use strict";
  var mode = document.getElementById("id_mode");
  if (!mode) return;
  var fields = {
    directed: ["id_directed_partner"],
    private_invite: ["id_invited_partners"],
    open_claim: ["id_claim_limit"],
  };
  function wrapper(id) {
    var input = document.getElementById(id);
    return input ? input.closest(".field") || input.parentElement : null;
  }
  function update() {
    Object.keys(fields).forEach(function (key) {
      fields[key].forEach(function (id) {
        var box = wrapper(id);
        if (box) box.hidden = mode.value !== key;
      });
    });
  }
  mode.addEventListener("change", update);
  update();
})();
