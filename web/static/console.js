// Anxin console: the only script besides htmx. The CSP forbids inline
// scripts, so behaviour that pages need lives here.
(function () {
  "use strict";

  // htmx requests carry the session's CSRF token in a header; plain forms
  // carry it in a hidden csrf_token field instead.
  document.addEventListener("htmx:configRequest", function (event) {
    var meta = document.querySelector('meta[name="csrf-token"]');
    if (meta && meta.content) {
      event.detail.headers["X-CSRF-Token"] = meta.content;
    }
  });
})();
