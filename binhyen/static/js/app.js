// Small behaviours shared by every page. No inline scripts: the CSP forbids them.
document.addEventListener("htmx:responseError", function (event) {
  var target = document.getElementById("htmx-error");
  if (target) {
    target.textContent = event.detail.xhr.status >= 500
      ? target.dataset.serverError
      : target.dataset.clientError;
    target.classList.remove("d-none");
  }
});

// Ask before an irreversible action: a form with data-confirm="question" asks when it is
// submitted, any other element (a submit button, a link) when it is clicked. The logout form
// (data-field-logout) asks in field/register.js, only when offline records wait.
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (!form.matches || !form.matches("form[data-confirm]:not([data-field-logout])")) return;
  if (!window.confirm(form.dataset.confirm)) event.preventDefault();
});
document.addEventListener("click", function (event) {
  var element = event.target.closest && event.target.closest("[data-confirm]:not(form)");
  if (element && !window.confirm(element.dataset.confirm)) event.preventDefault();
});
