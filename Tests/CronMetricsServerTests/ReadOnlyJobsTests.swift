import CronMetricsCore
import CronMetricsTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
@testable import CronMetricsServer

/// `jobs.read_only`: definitions change only in git.
@Suite("Read-only job definitions")
struct ReadOnlyJobsTests {
    static let hint = "definitions are read-only on this server: change jobs.d in git"

    @Test("every job write through the API and the dashboard is 409 with the hint, and writes nothing; results, reloads and reads work",
          arguments: StoreBackend.allCases)
    func refused(_ backend: StoreBackend) async throws {
        let fixture = try await ServerFixture(backend, jobs: "a")
        let before = DashboardTests.file(fixture, "a")
        try await fixture.app { $0.jobsReadOnly = true }.test(.router) { client in
            let writes: [(HTTPRequest.Method, String, String?)] = [
                (.post, "/api/job", #"{"job_name":"b","host":"web1","automatic_failure_threshold":60}"#),
                (.put, "/api/job/a@web1", #"{"job_name":"a","host":"web1","automatic_failure_threshold":60}"#),
                (.patch, "/api/job/a@web1", #"{"status":"paused"}"#),
                (.delete, "/api/job/a@web1", nil),
                (.post, "/api/job/a@web1/rotate-key", nil),
            ]
            for (method, path, body) in writes {
                var headers = ServerFixture.admin
                if body != nil { headers[.contentType] = "application/json" }
                let (status, text) = try await client.execute(uri: path, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) }) {
                    ($0.status, String(buffer: $0.body))
                }
                #expect(status == .conflict, "\(method) \(path)")
                #expect(try decode(JSONValue.self, text).object?["error"] == .string(Self.hint), "\(method) \(path): \(text)")
            }
            #expect(try await client.submit(#"{"job_name":"a","host":"web1","status":"success"}"#, key: "key-a").0 == .created)
            #expect(try await client.reload() == .ok)
            #expect(try await client.reply(JSONValue.self, .get, "/api/job/a@web1", headers: ServerFixture.admin).0 == .ok)

            let browser = Browser()
            try await browser.signIn(client, key: ServerFixture.adminKey)
            let page = try await browser.execute(client, "/dashboard/jobs/a@web1")
            #expect(page.status == .ok)
            #expect(page.body.contains(#"id="read-only""#) && page.body.contains("change <code>"))
            #expect(!page.body.contains("/pause\"") && !page.body.contains("rotate-key"), "no forms")
            for action in ["pause", "resume", "rotate-key"] {
                let post = try await browser.execute(client, "/dashboard/jobs/a@web1/\(action)", method: .post, form: ["csrf": browser.csrf ?? ""])
                #expect(post.status == .conflict, "\(action)")
                #expect(post.body.contains(Self.hint), "\(action)")
            }
        }
        #expect(DashboardTests.file(fixture, "a") == before, "nothing written")
        #expect(!FileManager.default.fileExists(atPath: fixture.jobsDir + "/b@web1.yaml"))
    }

    @Test("without jobs.read_only the same page offers its forms", arguments: [StoreBackend.sqlite])
    func writableByDefault(_ backend: StoreBackend) async throws {
        let fixture = try await ServerFixture(backend, jobs: "a")
        try await fixture.app().test(.router) { client in
            let browser = Browser()
            try await browser.signIn(client, key: ServerFixture.adminKey)
            let page = try await browser.execute(client, "/dashboard/jobs/a@web1")
            #expect(page.body.contains("/pause\"") && !page.body.contains(#"id="read-only""#))
        }
    }

    @Test("jobs.read_only is read at start: a reload that changes it says a restart is needed")
    func readAtStart() {
        var changed = ServerConfiguration()
        changed.jobsReadOnly = true
        #expect(SettingsReloader.needsRestart(ServerConfiguration(), changed) == ["jobs.read_only"])
    }
}
