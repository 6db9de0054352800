import HTTPTypes
import Hummingbird

/// `GET /api/openapi.yaml` (the embedded spec, byte for byte) and Swagger UI
/// at `GET /swagger/`, whose files are built into the binary: it works on
/// air-gapped servers and loads nothing from elsewhere.
struct OpenAPIController {
    static let bundle = StaticAsset(contentType: "application/javascript; charset=utf-8", base64Gzip: SwaggerUIAssets.bundle)
    static let css = StaticAsset(contentType: "text/css; charset=utf-8", base64Gzip: SwaggerUIAssets.css)

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("/api/openapi.yaml") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/yaml; charset=utf-8"],
                     body: .init(byteBuffer: ByteBuffer(bytes: PackageResources.openapi_yaml)))
        }
        router.get("/swagger") { _, _ in
            Self.page(Self.html)
        }
        router.get("/swagger/swagger-ui-bundle.js") { request, _ in
            Self.bundle.response(for: request)
        }
        router.get("/swagger/swagger-ui.css") { request, _ in
            Self.css.response(for: request)
        }
        router.get("/swagger/init.js") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/javascript; charset=utf-8"],
                     body: .init(byteBuffer: ByteBuffer(string: Self.initializer)))
        }
    }

    static func page(_ html: String) -> Response {
        Response(status: .ok, headers: [
            .contentType: "text/html; charset=utf-8",
            // Everything from this server; Swagger UI sets inline styles and shows data: images.
            .contentSecurityPolicy: "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
            .xContentTypeOptions: "nosniff",
        ], body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    static let html = """
        <!DOCTYPE html>
        <html lang="en">
        <head>
          <meta charset="utf-8">
          <title>cronmetrics API</title>
          <link rel="stylesheet" href="/swagger/swagger-ui.css">
        </head>
        <body>
          <noscript>Swagger UI needs JavaScript. The spec itself: <a href="/api/openapi.yaml">/api/openapi.yaml</a>.</noscript>
          <p style="font-family: sans-serif">Spec: <a href="/api/openapi.yaml">/api/openapi.yaml</a>.
            Authorize with an admin key (Bearer) or a job key (X-API-Key); keys are not kept after the page closes.</p>
          <div id="swagger-ui"></div>
          <script src="/swagger/swagger-ui-bundle.js"></script>
          <script src="/swagger/init.js"></script>
        </body>
        </html>

        """

    /// In a file of its own rather than inline, so the page's CSP can forbid
    /// inline scripts. `persistAuthorization: false`: keys typed into the page
    /// are not written to the browser's localStorage.
    static let initializer = """
        window.onload = () => {
          window.ui = SwaggerUIBundle({ url: "/api/openapi.yaml", dom_id: "#swagger-ui", persistAuthorization: false });
        };

        """
}

extension HTTPField.Name {
    static let contentSecurityPolicy = HTTPField.Name("Content-Security-Policy")!
    static let xContentTypeOptions = HTTPField.Name("X-Content-Type-Options")!
}
