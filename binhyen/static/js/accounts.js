// Account pages: copy a new token, pick a unit from the lookup (confirmations: app.js).
// No inline scripts: the CSP forbids them.
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    var copy = event.target.closest("[data-copy-target]");
    if (copy) {
      var field = document.getElementById(copy.dataset.copyTarget);
      if (field) {
        field.select();
        var done = function () { copy.textContent = copy.dataset.copiedText || copy.textContent; };
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(field.value).then(done, function () {});
        } else if (document.execCommand("copy")) {
          done();
        }
      }
      return;
    }

    var pick = event.target.closest("[data-unit-pick]");
    if (pick) {
      var input = document.getElementById(pick.dataset.unitTarget);
      if (input) {
        input.value = pick.dataset.unitPick;
        input.classList.remove("is-invalid");
        input.focus();
      }
      var list = pick.closest(".picker-results");
      if (list) {
        list.parentElement.innerHTML = "";
      }
    }
  });
})();
