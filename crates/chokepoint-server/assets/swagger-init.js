// Starts the vendored Swagger UI on /api-docs with chokepoint's OpenAPI document.
window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: "/api-docs/openapi.json",
    dom_id: "#swagger",
    deepLinking: true,
    persistAuthorization: false,
  });
});
