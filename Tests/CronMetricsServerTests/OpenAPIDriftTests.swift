import CronMetricsCore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Testing
import Yams
@testable import CronMetricsServer

@Suite("The server against its own OpenAPI document")
struct OpenAPIDriftTests {
    static let specPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../docs/openapi.yaml").standardized.path

    /// `METHOD /path` for every operation in `docs/openapi.yaml`.
    static func specRoutes(_ text: String) throws -> Set<String> {
        let methods: Set<String> = ["get", "put", "post", "patch", "delete", "head", "options"]
        guard let spec = try Yams.load(yaml: text) as? [String: Any], let paths = spec["paths"] as? [String: Any] else {
            return []
        }
        var routes: Set<String> = []
        for (path, item) in paths {
            for method in (item as? [String: Any] ?? [:]).keys where methods.contains(method) {
                routes.insert("\(method.uppercased()) \(normalize(path))")
            }
        }
        return routes
    }

    /// `/api/job/:id` and `/api/job/{id}` alike; no trailing slash.
    static func normalize(_ path: String) -> String {
        var parts = path.split(separator: "/").map { part -> String in
            part.hasPrefix(":") ? "{\(part.dropFirst())}" : String(part)
        }
        if parts.isEmpty { parts = [""] }
        return "/" + parts.joined(separator: "/")
    }

    /// Every route the server registers: a route added without updating the
    /// spec, or a route removed from the spec, fails here.
    @Test("every route is in the spec and every operation in the spec is a route")
    func routesMatchSpec() async throws {
        let fixture = try await ServerFixture()
        let router = buildRouter(try await fixture.components())
        // The dashboard's pages and forms are HTML for people, not the API (docs/dashboard.md).
        let served = Set(router.routes.filter { !$0.path.description.hasPrefix("/dashboard") }
            .map { "\($0.method.rawValue) \(Self.normalize($0.path.description))" })
        let documented = try Self.specRoutes(String(contentsOfFile: Self.specPath, encoding: .utf8))
        #expect(served.subtracting(documented).sorted() == [], "routes missing from docs/openapi.yaml")
        #expect(documented.subtracting(served).sorted() == [], "operations in docs/openapi.yaml that the server does not serve")
        #expect(served.count >= 13)
    }

    @Test("a route removed from the spec is caught (the check itself works)")
    func removalIsCaught() throws {
        let text = try String(contentsOfFile: Self.specPath, encoding: .utf8)
        let full = try Self.specRoutes(text)
        let withoutReload = text.replacingOccurrences(of: "  /-/reload:\n    post:", with: "  /-/reload:\n    x-removed:")
        #expect(try Self.specRoutes(withoutReload) == full.subtracting(["POST /-/reload"]))
    }

    @Test("the document's version is the binary's")
    func version() throws {
        let spec = try Yams.load(yaml: String(contentsOfFile: Self.specPath, encoding: .utf8)) as? [String: Any]
        #expect((spec?["info"] as? [String: Any])?["version"] as? String == CronMetricsVersion.current)
    }

    @Test("GET /api/openapi.yaml serves docs/openapi.yaml byte for byte; /swagger/ loads it")
    func servedSpec() async throws {
        let fixture = try await ServerFixture()
        let file = try Data(contentsOf: URL(fileURLWithPath: Self.specPath))
        try await fixture.app().test(.router) { client async throws in
            try await client.execute(uri: "/api/openapi.yaml", method: .get) { response in
                #expect(response.status == .ok)
                #expect(Data(buffer: response.body) == file, "the binary compiles docs/openapi.yaml in; rebuild after editing it")
            }
            try await client.execute(uri: "/swagger/", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/html; charset=utf-8")
                let page = String(buffer: response.body)
                #expect(!page.contains("http://") && !page.contains("https://"), "nothing is loaded from elsewhere")
                #expect(page.contains(#"src="/swagger/swagger-ui-bundle.js""#))
                #expect(response.headers[HTTPField.Name("Content-Security-Policy")!]?.hasPrefix("default-src 'self'") == true)
            }
            try await client.execute(uri: "/swagger/init.js", method: .get) { response in
                let script = String(buffer: response.body)
                #expect(script.contains(#"url: "/api/openapi.yaml""#))
                #expect(script.contains("persistAuthorization: false"))
            }
        }
    }

    @Test("Swagger UI's files are served from the binary, gzip or plain")
    func swaggerAssets() async throws {
        let fixture = try await ServerFixture()
        try await fixture.app().test(.router) { client async throws in
            let plain = try await client.execute(uri: "/swagger/swagger-ui-bundle.js", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentEncoding] == nil)
                #expect(response.headers[.contentType] == "application/javascript; charset=utf-8")
                return response.body.readableBytes
            }
            #expect(plain == 1_061_579)
            try await client.execute(uri: "/swagger/swagger-ui-bundle.js", method: .get, headers: [.acceptEncoding: "gzip, br"]) { response in
                #expect(response.headers[.contentEncoding] == "gzip")
                #expect(response.body.readableBytes < plain / 2)
            }
            try await client.execute(uri: "/swagger/swagger-ui.css", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body).contains(".swagger-ui"))
            }
        }
    }
}
