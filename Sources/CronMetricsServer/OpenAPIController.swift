import Hummingbird

/// `GET /api/openapi.yaml` (the embedded spec, byte for byte) and `GET /swagger/`.
struct OpenAPIController {
    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("/api/openapi.yaml") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/yaml; charset=utf-8"],
                     body: .init(byteBuffer: ByteBuffer(string: OpenAPIDocument.text + "\n")))
        }
        router.get("/swagger") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: Self.page)))
        }
    }

    /// Swagger UI from a CDN, pinned to one version (decision in docs/api.md):
    /// bundling its 1.5 MB of assets would outweigh the server. Offline, the
    /// page still links the spec itself.
    static let page = """
        <!DOCTYPE html>
        <html lang="en">
        <head>
          <meta charset="utf-8">
          <title>cronmetrics API</title>
          <link rel="stylesheet" href="https://unpkg.com/swagger-ui-dist@5.17.14/swagger-ui.css">
        </head>
        <body>
          <noscript>Swagger UI needs JavaScript. The spec itself: <a href="/api/openapi.yaml">/api/openapi.yaml</a>.</noscript>
          <p style="font-family: sans-serif">Spec: <a href="/api/openapi.yaml">/api/openapi.yaml</a>.
            Authorize with an admin key (Bearer) or a job key (X-API-Key).</p>
          <div id="swagger-ui"></div>
          <script src="https://unpkg.com/swagger-ui-dist@5.17.14/swagger-ui-bundle.js" crossorigin="anonymous"></script>
          <script>
            window.onload = () => {
              window.ui = SwaggerUIBundle({ url: "/api/openapi.yaml", dom_id: "#swagger-ui", persistAuthorization: true });
            };
          </script>
        </body>
        </html>

        """
}
