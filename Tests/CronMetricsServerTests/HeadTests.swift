import CronMetricsCore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
@testable import CronMetricsServer

/// HEAD is answered wherever GET is (docs/api.md): the same status and
/// headers, no body.
@Suite("HEAD on every GET route")
struct HeadTests {
    @Test("each GET route the router lists answers HEAD with GET's status and content type, and no body")
    func everyGetRoute() async throws {
        let fixture = try await ServerFixture(jobs: "a")
        let router = buildRouter(try await fixture.components(ReadKeysAndBadgesTests.adjust))
        let paths = router.routes.filter { $0.method == .get }.map { ReadKeysAndBadgesTests.path($0.path.description) }
        let ok = try await fixture.app(ReadKeysAndBadgesTests.adjust).test(.router) { client async throws -> [String] in
            var ok: [String] = []
            for path in paths {
                let get = try await client.execute(uri: path, method: .get, headers: ServerFixture.admin) { ($0.status, $0.headers[.contentType]) }
                try await client.execute(uri: path, method: .head, headers: ServerFixture.admin) { response in
                    #expect(response.status == get.0, "HEAD \(path): \(response.status), GET: \(get.0)")
                    #expect(response.headers[.contentType] == get.1, "HEAD \(path)")
                    #expect(response.body.readableBytes == 0, "HEAD \(path) has a body")
                }
                if get.0 == .ok { ok.append(path) }
            }
            return ok
        }
        for path in ["/health", "/metrics", "/api/job", "/api/job/a@web1", "/api/openapi.yaml"] {
            #expect(ok.contains(path), "\(path) answers GET and HEAD with 200")
        }
    }
}
