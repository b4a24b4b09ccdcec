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
