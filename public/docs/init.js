// Renders the broker's contract with Swagger UI. Relative URLs: the page works wherever the
// broker is mounted. In its own file, not inline, so the page's CSP can forbid inline scripts.
window.ui = SwaggerUIBundle({
  url: 'openapi.yaml',
  dom_id: '#swagger-ui',
  deepLinking: true,
  docExpansion: 'list',
  defaultModelsExpandDepth: 0,
  // Swagger UI's default sends the document to validator.swagger.io for a badge: never.
  validatorUrl: null,
});
