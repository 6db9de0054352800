import CronMetricsCore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
@testable import CronMetricsServer

/// Read-only keys on every admin route (the table is the router's own), and
/// status badges behind their own secret.
@Suite("Read-only keys and badges")
struct ReadKeysAndBadgesTests {
    static let readKey = "read-key-for-tests"
    static let badgeKey = "badge-secret-0123456789"

    static func adjust(_ configuration: inout ServerConfiguration) {
        configuration.readKeyHashes = [APIKeyHash.sha256Hex(of: readKey)]
        configuration.badgeKeyHash = APIKeyHash.sha256Hex(of: badgeKey)
    }

    /// A concrete path for a route's template.
    static func path(_ template: String) -> String {
        template.split(separator: "/").map { part -> String in
            switch part {
            case "{id}", ":id": return "a@web1"
            case "{key}", ":key": return "x"
            case "{file}", ":file": return "all.svg"
            default: return part.hasPrefix("{") || part.hasPrefix(":") ? "1" : String(part)
            }
        }.reduce("") { $0 + "/" + $1 }
    }

    /// The routes that need no admin key: each answers by its own rules (a
    /// job key, a key in the URL, a badge key, a dashboard session, or none).
    /// Every other route the router has must ask for an admin key.
    static let publicRoutes: Set<String> = [
        "GET /metrics", "GET /health", "GET /ready", "POST /api/job-result", "POST /api/job-start",
        "GET /ping/{key}", "HEAD /ping/{key}", "POST /ping/{key}",
        "GET /ping/{key}/{action}", "HEAD /ping/{key}/{action}", "POST /ping/{key}/{action}",
        "GET /badge/{key}/{file}", "GET /api/openapi.yaml",
        "GET /swagger", "GET /swagger/swagger-ui-bundle.js", "GET /swagger/swagger-ui.css", "GET /swagger/init.js",
    ]

    /// Every file under the tree, with its bytes.
    static func files(_ root: String) -> [String: Data] {
        var files: [String: Data] = [:]
        for path in (FileManager.default.enumerator(atPath: root)?.allObjects as? [String] ?? []) {
            if let data = FileManager.default.contents(atPath: "\(root)/\(path)") { files[path] = data }
        }
        return files
    }

    @Test("every route the router lists: public ones as listed, every other one 401 without a key; a read-only key may GET and gets 403 on every other method, writing nothing")
    func readOnlyKeys() async throws {
        let fixture = try await ServerFixture(jobs: "a")
        let components = try await fixture.components(Self.adjust)
        let router = buildRouter(components)
        let all = router.routes.map { (method: $0.method, template: $0.path.description) }
        let guarded = all.filter { !Self.publicRoutes.contains("\($0.method) \($0.template)") && !$0.template.hasPrefix("/dashboard") }
        #expect(Set(all.map { "\($0.method) \($0.template)" }).isSuperset(of: Self.publicRoutes), "every listed public route exists")
        // A dead letter in the outbox, so requeue and delete have something to change.
        try fixture.sqlite("""
            INSERT INTO notifications (event_id, channel, job_id, kind, payload, state, attempts, created_at, queued_at, next_attempt_at)
            VALUES ('e1', 'ops', 'a@web1', 'down', '{}', 'dead', 3, 0, 0, 0)
            """)
        let filesBefore = Self.files(fixture.jobsDir)
        let outbox = "SELECT id, state, attempts, queued_at, next_attempt_at FROM notifications ORDER BY id"
        let outboxBefore = try fixture.sqliteRows(outbox)
        #expect(outboxBefore.count == 1)
        let (reads, writes) = try await buildApplication(components).test(.router) { client async throws -> (Int, Int) in
            var reads = 0, writes = 0
            // HEAD is answered wherever GET is, under the same rules.
            for (method, template) in guarded.flatMap({ $0.method == .get ? [$0, (method: .head, template: $0.template)] : [$0] }) {
                let path = Self.path(template)
                let body = method == .get || method == .head ? nil : ByteBuffer(string: "{}")
                let anonymous = try await client.execute(uri: path, method: method, body: body) { ($0.status, String(buffer: $0.body)) }
                #expect(anonymous.0 == .unauthorized && (method == .head || anonymous.1.contains("missing admin key")), "\(method) \(template) without a key: \(anonymous.0)")
                let (status, text) = try await client.execute(uri: path, method: method, headers: [.authorization: "Bearer \(Self.readKey)"],
                                                              body: body) { ($0.status, String(buffer: $0.body)) }
                if method == .get || method == .head {
                    reads += 1
                    #expect(status != .unauthorized && status != .forbidden, "\(method) \(path): \(status) \(text)")
                } else {
                    writes += 1
                    #expect(status == .forbidden && text.contains("read-only key"), "\(method) \(path): \(status) \(text)")
                }
            }
            // The dashboard's forms, posted by a read-only session with a valid token.
            let reader = Browser()
            try await reader.signIn(client, key: Self.readKey)
            _ = try await reader.execute(client, "/dashboard/jobs/a@web1")
            for path in ["/dashboard/jobs/a@web1/pause", "/dashboard/jobs/a@web1/resume", "/dashboard/jobs/a@web1/maintenance",
                         "/dashboard/jobs/a@web1/rotate-key", "/dashboard/notifications/requeue", "/dashboard/notifications/1/requeue"] {
                let answer = try await reader.execute(client, path, method: .post, form: ["csrf": reader.csrf ?? "", "for": "1h"])
                #expect(answer.status == .forbidden && answer.body.contains("read-only key"), "POST \(path): \(answer.status)")
            }
            // The admin key still writes; an unknown key is 401 whatever the method.
            try await client.execute(uri: "/api/job/a@web1", method: .delete, headers: [.authorization: "Bearer wrong"]) { #expect($0.status == .unauthorized) }
            let health = try await client.reply(HealthReport.self, .get, "/health", headers: [.authorization: "Bearer \(Self.readKey)"]).1
            #expect(health.jobs == 1, "a read key sees /health's details")
            return (reads, writes)
        }
        // GET (and HEAD) of 10 admin routes (3 of them statistics; the audit trail and the plan's basis); POST, PUT, PATCH and DELETE of 11.
        #expect(guarded.count == 21)
        #expect((reads, writes) == (20, 11))
        #expect(Self.files(fixture.jobsDir) == filesBefore, "no job file changed")
        #expect(try fixture.sqliteRows(outbox) == outboxBefore, "the outbox is as it was")
    }

    /// Healthchecks' JSON badge (its format, not one of our API models).
    struct JSONBadge: Decodable {
        var status: String
        var total, grace, down: Int
    }

    /// A shields.io endpoint's answer (the fields these tests read).
    struct ShieldsBadge: Decodable {
        var label, message, color: String
    }

    @Test("badges for a job, a label and all: up, late inside a schedule's grace, down; svg, json and shields; a wrong key 404")
    func badges() async throws {
        let fixture = try await ServerFixture()
        // The clock starts at 08:00 UTC; `daily` is due at 09:00 with 30 minutes' grace.
        try fixture.addJob("daily", threshold: nil, extra: "schedule: \"0 9 * * *\"\ngrace: 30m\nlabels: {team: infra}")
        try fixture.addJob("hourly", threshold: 7200, extra: "labels: {team: web}")
        try fixture.addJob("quiet", threshold: 60, extra: "status: paused\nlabels: {team: infra}")
        let base = "/badge/\(Self.badgeKey)"
        try await fixture.app(Self.adjust).test(.router) { client async throws in
            func get(_ path: String) async throws -> (HTTPResponse.Status, String, String?) {
                try await client.execute(uri: path, method: .get) { ($0.status, String(buffer: $0.body), $0.headers[.contentType]) }
            }
            func badge<Badge: Decodable>(_ format: Badge.Type, _ path: String) async throws -> Badge {
                try JSONDecoder().decode(Badge.self, from: Data(try await get(path).1.utf8))
            }
            var (status, body, type) = try await get("\(base)/all.json")
            #expect(status == .ok && type == "application/json")
            let all = try JSONDecoder().decode(JSONBadge.self, from: Data(body.utf8))
            #expect(all.status == "up")
            #expect(all.total == 2, "the paused job is left out")
            (status, body, type) = try await get("\(base)/daily@web1.svg")
            #expect(type == "image/svg+xml")
            #expect(body.hasPrefix("<svg") && body.contains(">daily@web1</text>") && body.contains(">up</text>"))

            fixture.clock.advance(70 * 60)  // 09:10: past 09:00, inside the grace
            #expect(try await badge(JSONBadge.self, "\(base)/team=infra.json").status == "late")
            let shields = try await badge(ShieldsBadge.self, "\(base)/daily@web1.shields")
            #expect(shields.message == "late" && shields.color == "important" && shields.label == "daily@web1")
            #expect(try await badge(JSONBadge.self, "\(base)/team=web.json").status == "up")

            fixture.clock.advance(25 * 60)  // 09:35: past the grace
            let down = try await badge(JSONBadge.self, "\(base)/all.json")
            #expect(down.status == "down" && down.down == 1)
            #expect(try await get("\(base)/daily@web1.svg").1.contains("#e05d44"))

            for path in ["/badge/wrong/all.svg", "\(base)/nope@web1.svg", "\(base)/team=nobody.json", "\(base)/all.png", "\(base)/all"] {
                #expect(try await get(path).0 == .notFound, "\(path)")
            }
        }
        // Without a badge key there are no badges at all.
        try await fixture.app().test(.router) { client async throws in
            try await client.execute(uri: "\(base)/all.svg", method: .get) { #expect($0.status == .notFound) }
        }
    }

    @Test("a hostile label value is escaped in the SVG")
    func escaping() {
        let records: [JobRecord] = []
        let svg = BadgeState(records, now: Date()).svg(label: #"<script>"&'"#)
        #expect(svg.contains("&lt;script&gt;&quot;&amp;&#39;"))
        #expect(!svg.contains("<script>"))
    }
}
