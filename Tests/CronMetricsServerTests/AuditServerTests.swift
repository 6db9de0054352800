import CronMetricsCore
import CronMetricsTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
@testable import CronMetricsServer

/// The audit trail through the server (SPEC §17): a row for every write of
/// the API and the dashboard with the key's name, none for a refused one,
/// `git` rows for what a reload finds, `GET /api/audit` and the job page.
@Suite("Audit trail: every write, by whom")
struct AuditServerTests {
    /// The keys: alice's, an unnamed admin key, and a read-only key named reader.
    enum Key {
        static let alice = "alice-admin-key"
        static let unnamed = "unnamed-admin-key"
        static let reader = "reader-key"
        static let unnamedName = "key-" + APIKeyHash.sha256Hex(of: unnamed).prefix(12)
    }

    static func adjust(_ configuration: inout ServerConfiguration) {
        let items = ["alice:\(Key.alice)", Key.unnamed]
        configuration.adminKeyHashes = ServerConfiguration.adminKeyHashes(from: items)
        configuration.readKeyHashes = ServerConfiguration.adminKeyHashes(from: ["reader:\(Key.reader)"])
        configuration.keyNames = ServerConfiguration.keyNames(admin: items, read: ["reader:\(Key.reader)"]).names
    }

    static func bearer(_ key: String, request: String? = nil) -> HTTPFields {
        var fields: HTTPFields = [.authorization: "Bearer \(key)", .contentType: "application/json"]
        if let request { fields[HTTPField.Name("X-Request-ID")!] = request }
        return fields
    }

    static func sha256(_ path: String) -> String {
        APIKeyHash.sha256Hex(of: String(decoding: FileManager.default.contents(atPath: path) ?? Data(), as: UTF8.self))
    }

    /// Each row as `actor role route action job`.
    static func lines(_ page: AuditPage) -> [String] {
        page.entries.reversed().map { "\($0.actor) \($0.role) \($0.route) \($0.action) \($0.jobId ?? "-")" }
    }

    @Test("each write route and dashboard action leaves one row naming its key; 403, 409 and 422 leave none; a reload's finds are git's",
          arguments: StoreBackend.allCases)
    func everyWrite(_ backend: StoreBackend) async throws {
        let fixture = try await ServerFixture(backend, jobs: "a", "b")
        // The dead letters' channel exists (the dispatcher, which runs here,
        // would otherwise make a requeued row of an unknown channel dead again)
        // and its receiver never answers: a requeued row stays pending.
        let notify = NotificationDeliveryTests.notifying([try NotificationDeliveryTests.webhook("gone", url: "http://127.0.0.1:9/hook")],
                                                         maxAttempts: 1000, cap: 600)
        try await fixture.app { Self.adjust(&$0); notify(&$0) }.test(.router) { client in
            func status(_ method: HTTPRequest.Method, _ uri: String, key: String = Key.alice, body: String? = nil, request: String? = nil) async throws -> HTTPResponse.Status {
                try await client.execute(uri: uri, method: method, headers: Self.bearer(key, request: request), body: body.map { ByteBuffer(string: $0) }) { $0.status }
            }
            func audit(_ query: String = "") async throws -> AuditPage {
                try await client.reply(AuditPage.self, .get, "/api/audit\(query)", headers: Self.bearer(Key.reader)).1
            }
            #expect(Self.lines(try await audit()) == ["git git start added a@web1", "git git start added b@web1"])

            let created = try await status(.post, "/api/job", body: #"{"job_name":"c","host":"web1","automatic_failure_threshold":"1h"}"#, request: "req-create")
            #expect(created == .created)
            let createdHash = Self.sha256("\(fixture.jobsDir)/c@web1.yaml")
            #expect(try await status(.put, "/api/job/c@web1", key: Key.unnamed, body: #"{"automatic_failure_threshold":"2h"}"#) == .ok)
            #expect(try await status(.patch, "/api/job/a@web1", body: #"{"labels":{"team":"dba"}}"#) == .ok)
            #expect(try await status(.post, "/api/job/a@web1/rotate-key") == .ok)
            #expect(try await status(.delete, "/api/job/c@web1") == .noContent)

            // Refused: nothing written, no row.
            let before = try await audit().entries.count
            #expect(try await status(.patch, "/api/job/a@web1", key: Key.reader, body: #"{"labels":{"team":"x"}}"#) == .forbidden)
            #expect(try await status(.post, "/api/job", body: #"{"job_name":"a","host":"web1","automatic_failure_threshold":"1h"}"#) == .conflict)
            #expect(try await status(.patch, "/api/job/a@web1", body: #"{"grace":"soon"}"#) == .unprocessableContent)
            #expect(try await status(.patch, "/api/job/a@web1", body: #"{"depends_on":["nobody@web1"]}"#) == .unprocessableContent,
                    "refused by the reload: the file is put back, and its transaction never committed")
            #expect(try await status(.delete, "/api/job/zzz@web1") == .notFound)
            #expect(try await audit().entries.count == before, "a refused write leaves no audit row")

            // The dashboard, signed in with alice's key.
            let browser = Browser()
            try await browser.signIn(client, key: Key.alice)
            _ = try await browser.execute(client, "/dashboard/jobs/b@web1", method: .get)
            #expect(try await browser.execute(client, "/dashboard/jobs/b@web1/pause", method: .post, form: ["csrf": browser.csrf ?? ""]).status == .seeOther)
            _ = try await browser.execute(client, "/dashboard/jobs/b@web1", method: .get)
            #expect(try await browser.execute(client, "/dashboard/jobs/b@web1/resume", method: .post, form: ["csrf": browser.csrf ?? ""]).status == .seeOther)
            _ = try await browser.execute(client, "/dashboard/jobs/b@web1", method: .get)
            #expect(try await browser.execute(client, "/dashboard/jobs/b@web1/maintenance", method: .post,
                                              form: ["csrf": browser.csrf ?? "", "for": "1h"]).status == .seeOther)
            _ = try await browser.execute(client, "/dashboard/jobs/b@web1", method: .get)
            #expect(try await browser.execute(client, "/dashboard/jobs/b@web1/rotate-key", method: .post, form: ["csrf": browser.csrf ?? ""]).status == .ok)
            _ = try await browser.execute(client, "/dashboard/jobs/b@web1", method: .get)
            #expect(try await browser.execute(client, "/dashboard/jobs/b@web1/maintenance", method: .post,
                                              form: ["csrf": browser.csrf ?? "", "for": "forever"]).status == .unprocessableContent, "refused: no row")

            // Dead letters: requeued and deleted through the API and the dashboard.
            for n in 1...3 {
                let event = NotificationEvent(eventId: "ev\(n)", kind: .down, jobId: "b@web1", jobName: "b", host: "web1", labels: [:],
                                              previousStatus: "success", status: "failure", at: fixture.clock.now, lastRun: nil, url: nil)
                let payload = String(decoding: try APICoding.encoder.encode(event), as: UTF8.self)
                try await fixture.execute("""
                    INSERT INTO notifications (event_id, channel, job_id, kind, payload, state, attempts, created_at, queued_at, next_attempt_at)
                    VALUES ('ev\(n)', 'gone', 'b@web1', 'down', '\(payload)', 'dead', 10, 1790000000, 1790000000, 1790000060)
                    """)
            }
            let dead = try await client.reply(NotificationPage.self, .get, "/api/notifications?state=dead", headers: Self.bearer(Key.alice)).1
                .notifications.map(\.id).sorted()
            try #require(dead.count == 3)
            #expect(try await status(.post, "/api/notifications/\(dead[0])/requeue", key: Key.unnamed) == .ok)
            #expect(try await status(.post, "/api/notifications/\(dead[0])/requeue") == .conflict, "not dead now: refused, no row")
            #expect(try await status(.delete, "/api/notifications/\(dead[1])") == .noContent)
            _ = try await browser.execute(client, "/dashboard/notifications", method: .get)
            #expect(try await browser.execute(client, "/dashboard/notifications/requeue", method: .post, form: ["csrf": browser.csrf ?? ""]).status == .seeOther)
            #expect(try await status(.delete, "/api/notifications?state=dead") == .ok, "nothing dead is left: no row")
            for n in 4...6 {
                try await fixture.execute("""
                    INSERT INTO notifications (event_id, channel, job_id, kind, payload, state, attempts, created_at, queued_at, next_attempt_at)
                    SELECT 'ev\(n)', 'gone', 'b@web1', 'down', payload, 'dead', 10, 1790000000, 1790000000, 1790000060 FROM notifications
                    WHERE event_id = 'ev1'
                    """)
            }
            #expect(try await status(.post, "/api/notifications/requeue?job=b@web1", key: Self.Key.unnamed) == .ok)
            for n in 7...8 {
                try await fixture.execute("""
                    INSERT INTO notifications (event_id, channel, job_id, kind, payload, state, attempts, created_at, queued_at, next_attempt_at)
                    SELECT 'ev\(n)', 'gone', 'b@web1', 'down', payload, 'dead', 10, 1790000000, 1790000000, 1790000060 FROM notifications
                    WHERE event_id = 'ev1'
                    """)
            }
            #expect(try await status(.delete, "/api/notifications?channel=gone") == .ok)

            // A file changed on disk and reloaded: git's.
            try fixture.addJob("d")
            #expect(try await status(.post, "/-/reload", request: "req-reload") == .ok)

            let all = try await audit("?limit=1000")
            #expect(Self.lines(all) == [
                "git git start added a@web1", "git git start added b@web1",
                "alice admin POST /api/job added c@web1",
                "\(Key.unnamedName) admin PUT /api/job/{id} changed c@web1",
                "alice admin PATCH /api/job/{id} changed a@web1",
                "alice admin POST /api/job/{id}/rotate-key changed a@web1",
                "alice admin DELETE /api/job/{id} removed c@web1",
                "alice admin dashboard pause changed b@web1",
                "alice admin dashboard resume changed b@web1",
                "alice admin dashboard maintenance changed b@web1",
                "alice admin dashboard rotate-key changed b@web1",
                "\(Key.unnamedName) admin POST /api/notifications/{id}/requeue requeued b@web1",
                "alice admin DELETE /api/notifications/{id} deleted b@web1",
                "alice admin dashboard requeue requeued -",
                "\(Key.unnamedName) admin POST /api/notifications/requeue requeued b@web1",
                "alice admin DELETE /api/notifications deleted -",
                "git git POST /-/reload added d@web1",
            ])
            let rows = all.entries.reversed().map { $0 }
            #expect(rows[2].requestId == "req-create" && rows[2].path == "c@web1.yaml" && rows[2].hashBefore == nil && rows[2].hashAfter == createdHash)
            #expect(rows[3].hashBefore == createdHash && rows[3].hashAfter != createdHash && rows[6].hashAfter == nil
                    && rows[6].hashBefore == rows[3].hashAfter, "each file hash before is the one after of the row before it")
            #expect(rows[11].detail == "notification \(dead[0])")
            #expect(rows[13].detail == "1 dead notification", "\(Self.lines(all))")
            #expect(rows[14].detail == "3 dead notifications" && rows[15].detail == "2 dead notifications of channel gone")
            #expect(rows[16].requestId == "req-reload" && rows[16].commit == nil, "not a git work tree: no commit")
            #expect(rows.allSatisfy { $0.at == fixture.clock.now })

            // Filters and pages.
            #expect(Self.lines(try await audit("?job=a@web1")) == [
                "git git start added a@web1", "alice admin PATCH /api/job/{id} changed a@web1", "alice admin POST /api/job/{id}/rotate-key changed a@web1",
            ])
            #expect(try await audit("?actor=\(Key.unnamedName)").entries.count == 3)
            let first = try await audit("?actor=alice&limit=3")
            #expect(first.entries.count == 3 && first.nextBefore == first.entries.last?.id)
            let second = try await audit("?actor=alice&limit=3&before=\(first.nextBefore ?? 0)")
            #expect(second.entries.map(\.route) == ["dashboard rotate-key", "dashboard maintenance", "dashboard resume"])
            #expect(second.nextBefore == second.entries.last?.id, "four more rows on the next pages")
            #expect(try await status(.get, "/api/audit?before=x", key: Key.reader) == .unprocessableContent)

            // The job page lists its changes.
            let page = try await browser.execute(client, "/dashboard/jobs/a@web1", method: .get).body
            #expect(page.contains(#"<h2 id="changes">Changes</h2>"#))
            #expect(page.contains("<td>alice</td><td>changed</td><td>POST /api/job/{id}/rotate-key</td>"), "\(page)")
        }
    }
}

extension AuditServerTests {
    /// `git rev-parse HEAD` in `folder` (off the concurrency pool).
    static func head(_ folder: String) async throws -> String {
        try await offPool { try headBlocking(folder) }
    }

    private static func headBlocking(_ folder: String) throws -> String {
        let process = TestProcess()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/git")
        process.arguments = ["-C", folder, "rev-parse", "HEAD"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test("a reload in a git work tree records the checkout's HEAD commit, at start and after a pull; an edit's own row has none")
    func gitCommit() async throws {
        let fixture = try await ServerFixture(.sqlite, jobs: "a")
        let git = GitRepository(fixture.root)
        try await offPool {
            try git.run("init", "-q", "-b", "main")
            try git.run("add", "jobs.d")
            try git.run("commit", "-q", "-m", "a")
        }
        let first = try await Self.head(fixture.root)
        try await fixture.app { Self.adjust(&$0) }.test(.router) { client in
            try fixture.addJob("b")
            try await offPool {
                try git.run("add", "jobs.d")
                try git.run("commit", "-q", "-m", "b")
            }
            let second = try await Self.head(fixture.root)
            #expect(second != first && second.count == 40)
            #expect(try await client.execute(uri: "/-/reload", method: .post, headers: Self.bearer(Key.alice)) { $0.status } == .ok)
            #expect(try await client.execute(uri: "/api/job/a@web1", method: .patch, headers: Self.bearer(Key.alice),
                                             body: ByteBuffer(string: #"{"grace":"5m"}"#)) { $0.status } == .ok)
            let rows = try await client.reply(AuditPage.self, .get, "/api/audit", headers: Self.bearer(Key.alice)).1.entries.reversed().map { $0 }
            #expect(rows.map { "\($0.actor) \($0.route) \($0.jobId ?? "") \($0.commit ?? "-")" } == [
                "git start a@web1 \(first)", "git POST /-/reload b@web1 \(second)", "alice PATCH /api/job/{id} a@web1 -",
            ])
        }
    }
}

extension AuditServerTests {
    @Test("a name given to two keys, or two names to one key, is a configuration error")
    func duplicateNames() {
        let (names, problems) = ServerConfiguration.keyNames(admin: ["alice:k1", "alice:k2", "k3"], read: ["bob:k1"])
        #expect(problems == [
            "security: the key name 'alice' is given to two different keys; each key needs its own name",
            "security: one key is named both 'alice' and 'bob'",
        ])
        #expect(names == [APIKeyHash.sha256Hex(of: "k1"): "alice", APIKeyHash.sha256Hex(of: "k2"): "alice"])
        #expect(ServerConfiguration.keyNames(admin: ["git:k4", "Key-abc:k5", "local:k6"], read: []).problems.count == 3, "names of other actors are reserved")
    }

    @Test("named keys from a configuration file reach the server; the badge key is a plain key even with a colon")
    func namesFromTheFile() throws {
        let dir = try TempDir()
        let file = try dir.write("cronmetrics.yaml", """
            security:
              admin_api_keys:
                - {name: alice, sha256: \(APIKeyHash.sha256Hex(of: "alice-key"))}
                - plain-admin-key
              read_api_keys:
                - name: ci
                  key: ci-key
            dashboard:
              badge_key: team:badge-secret
            """)
        let configuration = try ServerConfiguration(settings: try AppConfiguration(file: file, environment: [:]))
        let keys = AccessKeys(admin: configuration.adminKeyHashes, read: configuration.readKeyHashes, names: configuration.keyNames)
        #expect(keys.identify("alice-key")?.name == "alice" && keys.identify("alice-key")?.access == .admin)
        #expect(keys.identify("ci-key")?.name == "ci" && keys.identify("ci-key")?.access == .read)
        #expect(keys.identify("plain-admin-key")?.name == "key-" + APIKeyHash.sha256Hex(of: "plain-admin-key").prefix(12))
        #expect(configuration.badgeKeyHash == APIKeyHash.sha256Hex(of: "team:badge-secret"))
        let reserved = try dir.write("reserved.yaml", "security:\n  admin_api_keys:\n    - {name: git, key: some-key}\n")
        #expect(throws: ConfigError.self) { try ServerConfiguration(settings: try AppConfiguration(file: reserved, environment: [:])) }
    }
}
