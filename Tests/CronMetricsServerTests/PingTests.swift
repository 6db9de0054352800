import CronMetricsCore
import CronMetricsTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
@testable import CronMetricsServer

@Suite("Ping URLs (Healthchecks-compatible)")
struct PingTests {
    static let key = "key-ping"

    func ping(_ client: some TestClientProtocol, _ path: String, method: HTTPRequest.Method = .get, body: String? = nil,
              contentType: String? = nil) async throws -> (HTTPResponse.Status, String) {
        var headers: HTTPFields = [:]
        if let contentType { headers[.contentType] = contentType }
        return try await client.execute(uri: path, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) }) {
            ($0.status, String(buffer: $0.body))
        }
    }

    @Test("success, fail, exit status, start and log, by GET, HEAD and POST; answers OK", arguments: StoreBackend.allCases)
    func actions(_ backend: StoreBackend) async throws {
        let fixture = try await ServerFixture(backend, jobs: "ping")
        let logs = LogCapture()
        try await fixture.app(logger: logs.logger).test(.router) { client async throws in
            #expect(try await ping(client, "/ping/\(Self.key)") == (.ok, "OK"))
            #expect(try await client.statusLine("ping")?.hasSuffix(#"status="success"} 1"#) == true)
            #expect(try await ping(client, "/ping/\(Self.key)/fail", method: .post, body: "disk full\n", contentType: "text/plain") == (.ok, "OK"))
            #expect(try await client.statusLine("ping")?.hasSuffix(#"status="failure"} 0"#) == true)
            #expect(try await ping(client, "/ping/\(Self.key)/0", method: .head).0 == .ok)
            #expect(try await client.value("cronjob_last_exit_code", "ping") == "0")
            #expect(try await ping(client, "/ping/\(Self.key)/3", method: .post, body: "{\"not\": \"parsed\"}", contentType: "application/json") == (.ok, "OK"))
            #expect(try await client.statusLine("ping")?.hasSuffix(#"status="failure"} 0"#) == true)
            #expect(try await client.value("cronjob_last_exit_code", "ping") == "3")
            #expect(try await ping(client, "/ping/\(Self.key)/start?rid=9f2c") == (.ok, "OK"))
            #expect(try await client.value("cronjob_running", "ping") == "1")
            fixture.clock.advance(12)
            #expect(try await ping(client, "/ping/\(Self.key)/log", method: .post, body: "halfway") == (.ok, "OK"))
            #expect(try await client.value("cronjob_runs_total", "ping") == "4", "a start and a log entry are not runs")
            #expect(try await ping(client, "/ping/\(Self.key)?rid=9f2c", method: .post, body: "done") == (.ok, "OK"))
            #expect(try await client.value("cronjob_last_duration_seconds", "ping") == "12")
            let outputs = try await client.history("ping@web1").results.compactMap(\.output)
            #expect(outputs == ["done", "halfway", "{\"not\": \"parsed\"}", "disk full\n"])
            #expect(!logs.all.joined().contains(Self.key), "the key in the URL is never logged")
        }
    }

    @Test("unknown keys and paths answer 404 not found; a bad rid 400", arguments: [
        ("/ping/nope", HTTPResponse.Status.notFound, "not found"),
        ("/ping/nope/start", .notFound, "not found"),
        ("/ping/key-ping/256", .notFound, "not found"),
        ("/ping/key-ping/explode", .notFound, "not found"),
        ("/ping/key-ping/007", .notFound, "not found"),
        ("/ping/key-ping?rid=a%20b", .badRequest, "invalid rid"),
    ])
    func refusals(path: String, status: HTTPResponse.Status, body: String) async throws {
        let fixture = try await ServerFixture(jobs: "ping")
        try await fixture.app().test(.router) { client async throws in
            #expect(try await ping(client, path) == (status, body))
            #expect(try await client.value("cronjob_runs_total", "ping") == "0")
        }
    }

    @Test("a retired job answers 409 and stores nothing, as /api/job-result does", arguments: StoreBackend.allCases)
    func retired(_ backend: StoreBackend) async throws {
        let fixture = try await ServerFixture(backend, jobs: "ping", extra: "status: retired")
        try await fixture.app().test(.router) { client async throws in
            #expect(try await ping(client, "/ping/\(Self.key)") == (.conflict, "job is retired"))
            #expect(try await ping(client, "/ping/\(Self.key)/start").0 == .conflict)
            #expect(try await client.history("ping@web1").results.isEmpty)
        }
    }

    @Test("a long body is cut to its tail, never refused", arguments: StoreBackend.allCases)
    func longBody(_ backend: StoreBackend) async throws {
        let fixture = try await ServerFixture(backend, jobs: "ping")
        let app = try await fixture.app { $0.maxOutputBytes = 100 }
        try await app.test(.router) { client async throws in
            let body = String(repeating: "x", count: 3 << 20) + "THE END"
            #expect(try await ping(client, "/ping/\(Self.key)/fail", method: .post, body: body) == (.ok, "OK"))
            let output = try await client.history("ping@web1").results.first?.output
            #expect(output?.utf8.count == 100)
            #expect(output?.hasSuffix("THE END") == true)
        }
    }

    @Test("a key shared by two jobs: a ping answers 409 saying why; JSON submissions naming either job work", arguments: StoreBackend.allCases)
    func sharedKey(_ backend: StoreBackend) async throws {
        let fixture = try await ServerFixture(backend)
        let hash = APIKeyHash.sha256Hex(of: "shared-key")
        for name in ["one", "two"] {
            try Data("version: 1\njob_name: \(name)\nhost: web1\nautomatic_failure_threshold: 1h\napi_key_sha256: \(hash)\n".utf8)
                .write(to: URL(fileURLWithPath: "\(fixture.jobsDir)/\(name)@web1.yaml"))
        }
        try await fixture.app().test(.router) { client async throws in
            for path in ["/ping/shared-key", "/ping/shared-key/fail", "/ping/shared-key/start"] {
                #expect(try await ping(client, path) == (.conflict, PingController.sharedKey), "\(path)")
            }
            #expect(PingController.sharedKey.hasPrefix("this key belongs to several jobs, so a ping URL cannot name one"))
            #expect(try await ping(client, "/ping/other-key") == (.notFound, "not found"))
            for name in ["one", "two"] {
                #expect(try await client.submit(#"{"job_name":"\#(name)","host":"web1","status":"success"}"#, key: "shared-key").0 == .created)
                #expect(try await client.statusLine(name)?.hasSuffix(#"status="success"} 1"#) == true)
            }
        }
    }
}
