// /docs: Swagger UI (npm swagger-ui-dist, served by this app) on this server's OpenAPI
// document; nothing is fetched from elsewhere (no validator badge).
(function () {
  "use strict";
  if (!window.SwaggerUIBundle) return; // not installed: the page's notice says so
  window.ui = window.SwaggerUIBundle({
    url: "/openapi.json",
    dom_id: "#swagger-ui",
    validatorUrl: null,
    deepLinking: true,
    presets: [window.SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
  });
})();
