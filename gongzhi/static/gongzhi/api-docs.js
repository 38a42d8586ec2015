/* /api/docs: Swagger UI from static/vendor (no CDN). Session requests carry the CSRF token. */
(function () {
  const config = JSON.parse(document.getElementById("swagger-settings").textContent);
  const csrf = document.body.dataset.csrfToken;
  config.dom_id = "#swagger-ui";
  config.presets = [SwaggerUIBundle.presets.apis];
  config.layout = "BaseLayout";
  config.deepLinking = false;  // with deep links the path is a link inside the summary button (axe nested-interactive)
  config.validatorUrl = null;  // the default validator is an outside host
  config.requestInterceptor = function (req) {
    if (csrf) { req.headers["X-CSRFToken"] = csrf; }
    return req;
  };
  window.ui = SwaggerUIBundle(config);
})();
