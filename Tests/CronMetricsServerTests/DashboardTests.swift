import CronMetricsTestSupport
import CronMetricsCore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
@testable import CronMetricsServer

/// A browser's part in router tests: keeps the cookies the server sets, sends
/// them back, and reads the CSRF token of the last page.
final class Browser: @unchecked Sendable {
    var cookies: [String: String] = [:]
    var lastSetCookies: [String] = []
    var csrf: String?

    func execute(_ client: some TestClientProtocol, _ path: String, method: HTTPRequest.Method = .get,
                 form: [String: String]? = nil) async throws -> (status: HTTPResponse.Status, body: String, location: String?) {
        var headers: HTTPFields = [:]
        if !cookies.isEmpty { headers[.cookie] = cookies.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "; ") }
        var body: ByteBuffer?
        if let form {
            headers[.contentType] = "application/x-www-form-urlencoded"
            body = ByteBuffer(string: DashboardQuery.encode(form.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }))
        }
        return try await client.execute(uri: path, method: method, headers: headers, body: body) { response in
            self.lastSetCookies = response.headers[values: .setCookie]
            for cookie in self.lastSetCookies {
                let pair = cookie.split(separator: ";")[0].split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let name = String(pair[0]), value = pair.count > 1 ? String(pair[1]) : ""
                self.cookies[name] = cookie.contains("Max-Age=0") || value.isEmpty ? nil : value
            }
            let text = String(buffer: response.body)
            if let range = text.range(of: #"name="csrf" value="[0-9a-f]+""#, options: .regularExpression) {
                self.csrf = String(text[range].dropFirst(#"name="csrf" value=""#.count).dropLast())
            }
            return (response.status, text, response.headers[.location])
        }
    }

    /// Signs in with `key`: the form first (its token), then the post.
    @discardableResult
    func signIn(_ client: some TestClientProtocol, key: String) async throws -> (status: HTTPResponse.Status, body: String, location: String?) {
        _ = try await execute(client, "/dashboard/signin")
        return try await execute(client, "/dashboard/signin", method: .post, form: ["csrf": csrf ?? "", "key": key, "next": "/dashboard"])
    }
}

@Suite("Dashboard")
struct DashboardTests {
    static let readKey = "read-key-for-dashboard"

    static func adjust(_ configuration: inout ServerConfiguration) {
        configuration.readKeyHashes = [APIKeyHash.sha256Hex(of: readKey)]
    }

    static func file(_ fixture: ServerFixture, _ name: String) -> String {
        (try? String(contentsOfFile: "\(fixture.jobsDir)/\(name)@web1.yaml", encoding: .utf8)) ?? ""
    }

    @Test("every dashboard route, as the router lists it: without a session pages go to sign-in, posts change nothing, events are 401", arguments: StoreBackend.allCases)
    func everyRouteNeedsASession(_ backend: StoreBackend) async throws {
        let fixture = try await ServerFixture(backend, jobs: "a")
        let before = Self.file(fixture, "a")
        let router = buildRouter(try await fixture.components(Self.adjust))
        let routes = router.routes.filter { $0.path.description.hasPrefix("/dashboard") }
            .map { ($0.method, ReadKeysAndBadgesTests.path($0.path.description).replacingOccurrences(of: "/1", with: "/pause")) }
        #expect(routes.count >= 10, "\(routes)")
        try await fixture.app(Self.adjust).test(.router) { client in
            for (method, path) in routes {
                let path = path.replacingOccurrences(of: "/jobs/pause", with: "/jobs/a@web1")
                let (status, body, location) = try await Browser().execute(client, path, method: method, form: method == .post ? ["csrf": "x"] : nil)
                switch path {
                case "/dashboard/signin":
                    #expect(method == .get ? status == .ok : status == .forbidden, "\(method) \(path): \(status)")
                case "/dashboard/signout":
                    #expect(status == .seeOther && location == "/dashboard/signin", "\(method) \(path)")
                case "/dashboard/events":
                    #expect(status == .unauthorized)
                case let p where p.hasPrefix("/dashboard/assets"):
                    #expect(status == .notFound || status == .ok)
                default:
                    #expect(status == .seeOther && location?.hasPrefix("/dashboard/signin?next=") == true, "\(method) \(path): \(status) \(body.prefix(200))")
                }
            }
        }
        #expect(Self.file(fixture, "a") == before, "nothing was written without a session")
    }

    @Test("sign in: the form's token, wrong keys 401 then 429 per address, the cookie's flags, sign out, expiry, a removed key", arguments: StoreBackend.allCases)
    func signIn(_ backend: StoreBackend) async throws {
        let fixture = try await ServerFixture(backend, jobs: "a")
        let components = try await fixture.components(Self.adjust)
        try await buildApplication(components).test(.router) { client in
            let browser = Browser()
            // No token (a form posted from elsewhere): refused.
            var answer = try await browser.execute(client, "/dashboard/signin", method: .post, form: ["key": ServerFixture.adminKey])
            #expect(answer.status == .forbidden)
            #expect(browser.cookies[SessionSigner.cookieName] == nil)
            answer = try await browser.signIn(client, key: "wrong")
            #expect(answer.status == .unauthorized)
            #expect(answer.body.contains("not an admin or read-only key"))
            answer = try await browser.signIn(client, key: ServerFixture.adminKey)
            #expect(answer.status == .seeOther && answer.location == "/dashboard")
            let cookie = browser.lastSetCookies.first { $0.hasPrefix(SessionSigner.cookieName) } ?? ""
            for flag in ["HttpOnly", "SameSite=Strict", "Path=/dashboard", "Max-Age=43200"] { #expect(cookie.contains(flag), "\(cookie)") }
            #expect(!cookie.contains("Secure"), "no TLS, no Secure")
            #expect(!cookie.contains(ServerFixture.adminKey), "the key is never in the cookie")
            answer = try await browser.execute(client, "/dashboard")
            #expect(answer.status == .ok)
            #expect(answer.body.contains(">admin<"))
            // A tampered cookie is no session.
            let good = browser.cookies[SessionSigner.cookieName]!
            browser.cookies[SessionSigner.cookieName] = String(good.dropLast()) + (good.hasSuffix("0") ? "1" : "0")
            #expect(try await browser.execute(client, "/dashboard").status == .seeOther)
            browser.cookies[SessionSigner.cookieName] = good
            // Sign out needs the token too, then clears the cookie.
            answer = try await browser.execute(client, "/dashboard/signout", method: .post, form: ["csrf": "0000"])
            #expect(answer.status == .forbidden)
            answer = try await browser.execute(client, "/dashboard/signout", method: .post, form: ["csrf": browser.csrf ?? ""])
            #expect(answer.status == .seeOther && browser.cookies[SessionSigner.cookieName] == nil)
            // Expiry: the clock passes the session's lifetime.
            try await browser.signIn(client, key: Self.readKey)
            #expect(try await browser.execute(client, "/dashboard").body.contains(">read-only<"))
            fixture.clock.advance(43_201)
            #expect(try await browser.execute(client, "/dashboard").status == .seeOther)
            // A key removed by a reload of the configuration ends its sessions at once.
            try await browser.signIn(client, key: Self.readKey)
            #expect(try await browser.execute(client, "/dashboard").status == .ok)
            var snapshot = components.runtime.snapshot
            snapshot.readKeyHashes = []
            components.runtime.replace(snapshot)
            #expect(try await browser.execute(client, "/dashboard").status == .seeOther)
            // Ten wrong keys from one address, then even the right key waits.
            let attacker = Browser()
            for _ in 0..<10 { #expect(try await attacker.signIn(client, key: "guess").status == .unauthorized) }
            answer = try await attacker.signIn(client, key: ServerFixture.adminKey)
            #expect(answer.status == .tooManyRequests, "\(answer.status)")
            fixture.clock.advance(601)
            #expect(try await attacker.signIn(client, key: ServerFixture.adminKey).status == .seeOther, "the window ends")
        }
    }

    @Test("the sign-in limit: 300 wrong keys at once from one address get 10 tries; a valid key's sign-in clears no failure", arguments: StoreBackend.allCases)
    func signInLimitUnderConcurrency(_ backend: StoreBackend) async throws {
        let fixture = try await ServerFixture(backend)
        try await fixture.app(Self.adjust).test(.router) { client async throws in
            let browser = Browser()
            _ = try await browser.execute(client, "/dashboard/signin")
            let form = ["csrf": browser.csrf ?? "", "key": "guess", "next": "/dashboard"]
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                let cookies = browser.cookies
                for _ in 0..<300 {
                    group.addTask {
                        // A browser each (one shared by 300 tasks raced on its cookie table), with the same cookies.
                        let tab = Browser()
                        tab.cookies = cookies
                        return try await tab.execute(client, "/dashboard/signin", method: .post, form: form).status
                    }
                }
                return try await group.reduce(into: [HTTPResponse.Status: Int]()) { $0[$1, default: 0] += 1 }
            }
            #expect(statuses == [.unauthorized: 10, .tooManyRequests: 290])
        }
        // (Replicas sharing the count: DashboardReplicaTests.)
        // A read-only user signs in between guesses at an admin key: the guesses still count.
        try await ServerFixture(backend).app(Self.adjust).test(.router) { client async throws in
            for round in 0..<10 {
                #expect(try await Browser().signIn(client, key: Self.readKey).status == .seeOther, "round \(round)")
                #expect(try await Browser().signIn(client, key: "admin-guess-\(round)").status == .unauthorized, "round \(round)")
            }
            #expect(try await Browser().signIn(client, key: "admin-guess-10").status == .tooManyRequests)
            #expect(try await Browser().signIn(client, key: Self.readKey).status == .tooManyRequests)
        }
    }

    @Test("the sign-in table stays within its capacity under a spray of addresses")
    func signInLimiterMemory() {
        let limiter = SignInLimiter(limit: 10, window: 600, capacity: 100)
        let start = Date(timeIntervalSince1970: 1_000_000)
        for index in 0..<5_000 {
            #expect(limiter.take("10.0.\(index / 256).\(index % 256)", now: start.addingTimeInterval(Double(index) / 100)) == nil)
            #expect(limiter.count <= 100)
        }
        // The newest addresses are still counted.
        for _ in 0..<9 { #expect(limiter.take("10.0.19.135", now: start.addingTimeInterval(50)) == nil) }
        #expect(limiter.take("10.0.19.135", now: start.addingTimeInterval(50)) != nil)
    }

    @Test("sign-out ends the session everywhere: a copied cookie no longer reads or writes", arguments: StoreBackend.allCases)
    func signOutRevokes(_ backend: StoreBackend) async throws {
        let fixture = try await ServerFixture(backend, jobs: "a")
        let before = Self.file(fixture, "a")
        try await fixture.app(Self.adjust).test(.router) { client async throws in
            let browser = Browser()
            try await browser.signIn(client, key: ServerFixture.adminKey)
            _ = try await browser.execute(client, "/dashboard/jobs/a@web1")
            let copy = Browser()
            copy.cookies = browser.cookies
            copy.csrf = browser.csrf
            #expect(try await copy.execute(client, "/dashboard").status == .ok, "the copy works while the session lives")
            let out = try await browser.execute(client, "/dashboard/signout", method: .post, form: ["csrf": browser.csrf ?? ""])
            #expect(out.status == .seeOther)
            let page = try await copy.execute(client, "/dashboard")
            #expect(page.status == .seeOther && page.location?.hasPrefix("/dashboard/signin") == true)
            let write = try await copy.execute(client, "/dashboard/jobs/a@web1/pause", method: .post, form: ["csrf": copy.csrf ?? ""])
            #expect(write.status == .seeOther && write.location?.hasPrefix("/dashboard/signin") == true)
            // Signing in again gives a new session that works.
            try await browser.signIn(client, key: ServerFixture.adminKey)
            #expect(try await browser.execute(client, "/dashboard").status == .ok)
        }
        #expect(Self.file(fixture, "a") == before)
    }

    @Test("Secure cookies under TLS or an https external URL; dashboard.enabled false serves no pages", arguments: StoreBackend.allCases)
    func cookieFlagsAndDisabled(_ backend: StoreBackend) async throws {
        let fixture = try await ServerFixture(backend)
        try await fixture.app { $0.dashboard.secureCookies = true }.test(.router) { client async throws in
            try await Browser().signIn(client, key: ServerFixture.adminKey)
            let browser = Browser()
            try await browser.signIn(client, key: ServerFixture.adminKey)
            #expect(browser.lastSetCookies.contains { $0.hasPrefix(SessionSigner.cookieName) && $0.contains("; Secure") })
        }
        try await fixture.app { $0.dashboard.enabled = false }.test(.router) { client async throws in
            #expect(try await Browser().execute(client, "/dashboard").status == .notFound)
            #expect(try await Browser().execute(client, "/dashboard/signin").status == .notFound)
        }
        let path = "\(fixture.root)/cronmetrics.yaml"
        try Data("dashboard:\n  enabled: false\n  title: Ops cron\n  session_ttl: 1h\nserver:\n  external_url: https://cron.example.com\n".utf8)
            .write(to: URL(fileURLWithPath: path))
        let configuration = try ServerConfiguration(settings: try AppConfiguration(file: path, environment: [:]))
        #expect(configuration.dashboard == DashboardSettings(enabled: false, title: "Ops cron", sessionTTL: 3600, secureCookies: true))
    }

    @Test("forms: CSRF and admin checked before any write; pause, resume, maintenance and key rotation write the job file", arguments: StoreBackend.allCases)
    func actions(_ backend: StoreBackend) async throws {
        let fixture = try await ServerFixture(backend, jobs: "a")
        try await fixture.app(Self.adjust).test(.router) { client in
            let reader = Browser()
            try await reader.signIn(client, key: Self.readKey)
            var page = try await reader.execute(client, "/dashboard/jobs/a@web1")
            #expect(page.status == .ok)
            #expect(!page.body.contains("/pause\""), "no admin forms for a read-only session")
            let readToken = reader.csrf ?? ""
            page = try await reader.execute(client, "/dashboard/jobs/a@web1/pause", method: .post, form: ["csrf": readToken])
            #expect(page.status == .forbidden && page.body.contains("read-only key may look"))
            let admin = Browser()
            try await admin.signIn(client, key: ServerFixture.adminKey)
            _ = try await admin.execute(client, "/dashboard/jobs/a@web1")
            let token = admin.csrf ?? ""
            for bad in [["csrf": ""], ["csrf": readToken], [:]] {
                page = try await admin.execute(client, "/dashboard/jobs/a@web1/pause", method: .post, form: bad)
                #expect(page.status == .forbidden, "\(bad)")
            }
            #expect(!Self.file(fixture, "a").contains("status: paused"), "refused forms wrote nothing")
            page = try await admin.execute(client, "/dashboard/jobs/a@web1/pause", method: .post, form: ["csrf": token])
            #expect(page.status == .seeOther && page.location == "/dashboard/jobs/a@web1?changed=pause")
            #expect(Self.file(fixture, "a").contains("status: paused"))
            page = try await admin.execute(client, page.location!)
            #expect(page.body.contains("jobs.d/a@web1.yaml") && page.body.contains("commit it"))
            #expect(page.body.contains(">paused<"))
            page = try await admin.execute(client, "/dashboard/jobs/a@web1/maintenance", method: .post, form: ["csrf": token, "until": "2001-01-01T00:00"])
            #expect(page.status == .unprocessableContent && page.body.contains("must be in the future"))
            page = try await admin.execute(client, "/dashboard/jobs/a@web1/maintenance", method: .post, form: ["csrf": token, "for": "4h"])
            #expect(page.status == .seeOther)
            let until = RFC3339.format(fixture.clock.now.addingTimeInterval(4 * 3600))
            #expect(Self.file(fixture, "a").contains("status: maintenance") && Self.file(fixture, "a").contains(until), "\(Self.file(fixture, "a"))")
            page = try await admin.execute(client, "/dashboard/jobs/a@web1/resume", method: .post, form: ["csrf": token])
            #expect(page.status == .seeOther)
            #expect(!Self.file(fixture, "a").contains("status:") || Self.file(fixture, "a").contains("status: active"))
            #expect(!Self.file(fixture, "a").contains("maintenance_until"))
            // Rotation: the new key once, on the answer itself; the old key stops working.
            page = try await admin.execute(client, "/dashboard/jobs/a@web1/rotate-key", method: .post, form: ["csrf": token])
            #expect(page.status == .ok)
            let key = page.body.range(of: #"<code class="key">[^<]+"#, options: .regularExpression).map { String(page.body[$0].dropFirst(18)) } ?? ""
            #expect(key.hasPrefix("cm_"), "\(page.body.prefix(300))")
            #expect(!Self.file(fixture, "a").contains(APIKeyHash.sha256Hex(of: "key-a")))
            #expect(Self.file(fixture, "a").contains(APIKeyHash.sha256Hex(of: key)))
            let body = #"{"job_name":"a","host":"web1","status":"success"}"#
            try await client.execute(uri: "/api/job-result", method: .post, headers: [HTTPField.Name("X-API-Key")!: "\(key)"], body: ByteBuffer(string: body)) {
                #expect($0.status == .created)
            }
            try await client.execute(uri: "/api/job-result", method: .post, headers: [HTTPField.Name("X-API-Key")!: "key-a"], body: ByteBuffer(string: body)) {
                #expect($0.status == .unauthorized)
            }
            let again = try await admin.execute(client, "/dashboard/jobs/a@web1")
            #expect(!again.body.contains("class=\"key\""), "shown once")
        }
    }

    @Test("hostile label values, descriptions and output are escaped on every page; the CSP allows no inline script", arguments: StoreBackend.allCases)
    func escaping(_ backend: StoreBackend) async throws {
        let fixture = try await ServerFixture(backend)
        let hostile = #"<img src=x onerror=alert(1)>"#
        try fixture.addJob("evil", extra: """
            labels:
              team: '\(hostile)'
              q: '"><script>alert(2)</script>'
            description: '</p><script>alert(3)</script>'
            """)
        try await fixture.app().test(.router) { client in
            let output = "</pre><script>alert(4)</script>&amp;"
            let body = try JSONSerialization.data(withJSONObject: ["job_name": "evil", "host": "web1", "status": "failure", "exit_code": 3, "output": output])
            try await client.execute(uri: "/api/job-result", method: .post, headers: [HTTPField.Name("X-API-Key")!: "key-evil"], body: ByteBuffer(bytes: body)) {
                #expect($0.status == .created)
            }
            let browser = Browser()
            try await browser.signIn(client, key: ServerFixture.adminKey)
            for path in ["/dashboard", "/dashboard/jobs/evil@web1", "/dashboard?q=%3Cscript%3E", "/dashboard?label=team%3D%3Cb%3E"] {
                let page = try await browser.execute(client, path)
                #expect(page.status == .ok, "\(path)")
                for raw in [hostile, "<script>alert", "</pre><script>", "<b>"] {
                    #expect(!page.body.contains(raw), "\(path) shows \(raw) unescaped")
                }
            }
            let job = try await browser.execute(client, "/dashboard/jobs/evil@web1")
            #expect(job.body.contains("&lt;img src=x onerror=alert(1)&gt;"))
            #expect(job.body.contains("&lt;/pre&gt;&lt;script&gt;alert(4)&lt;/script&gt;&amp;amp;"))
            try await client.execute(uri: "/dashboard", method: .get) { response in
                let policy = response.headers[HTTPField.Name("Content-Security-Policy")!] ?? ""
                #expect(policy.contains("script-src 'self'") && !policy.contains("unsafe-inline") && policy.contains("frame-ancestors 'none'"))
            }
        }
    }

    @Test("overview: counts per state, failing and late first, filters, search, sort and 50 rows a page", arguments: StoreBackend.allCases)
    func overview(_ backend: StoreBackend) async throws {
        let fixture = try await ServerFixture(backend)
        for n in 0..<118 { try fixture.addJob(String(format: "job%03d", n), extra: "labels: {team: \(n % 2 == 0 ? "infra" : "web")}") }
        try fixture.addJob("broken", host: "db1", extra: "labels: {team: infra}\ndescription: nightly dump")
        try fixture.addJob("paused", extra: "status: paused")
        try await fixture.app().test(.router) { client in
            let body = #"{"job_name":"broken","host":"db1","status":"failure"}"#
            try await client.execute(uri: "/api/job-result", method: .post, headers: [HTTPField.Name("X-API-Key")!: "key-broken"], body: ByteBuffer(string: body)) { _ in }
            let browser = Browser()
            try await browser.signIn(client, key: ServerFixture.adminKey)
            var page = try await browser.execute(client, "/dashboard")
            #expect(page.body.contains(#"data-count="failing"><span class="n">1</span>"#))
            #expect(page.body.contains(#"data-count="pending"><span class="n">118</span>"#))
            #expect(page.body.contains(#"data-count="paused"><span class="n">1</span>"#))
            #expect(page.body.contains("120 jobs, page 1 of 3"))
            let rows = page.body.components(separatedBy: "<tr data-job=").dropFirst()
            #expect(rows.count == 50)
            #expect(rows.first?.hasPrefix("\"broken@db1\"") == true, "failing first")
            page = try await browser.execute(client, "/dashboard?page=3")
            #expect(page.body.components(separatedBy: "<tr data-job=").count - 1 == 20)
            #expect(page.body.contains("rel=\"prev\"") && !page.body.contains("rel=\"next\""))
            page = try await browser.execute(client, "/dashboard?state=failing")
            #expect(page.body.contains("1 job matching"))
            page = try await browser.execute(client, "/dashboard?label=team%3Dweb&sort=name")
            #expect(page.body.contains("59 jobs matching"))
            page = try await browser.execute(client, "/dashboard?host=db1")
            #expect(page.body.contains("1 job matching"))
            page = try await browser.execute(client, "/dashboard?q=NIGHTLY+dump")
            #expect(page.body.contains("1 job matching") && page.body.contains("broken"))
            page = try await browser.execute(client, "/dashboard?label=nonsense")
            #expect(page.status == .ok && page.body.contains("NAME=VALUE"))
            page = try await browser.execute(client, "/dashboard?state=bogus")
            #expect(page.body.contains("no state &#39;bogus&#39;"))
        }
    }

    @Test("overview: each job's 7-day success ratio, sorted lowest first with jobs without runs last", arguments: StoreBackend.allCases)
    func weekRatio(_ backend: StoreBackend) async throws {
        // Thresholds of 10 days: no deadline passes, whenever the server's own tick runs.
        let fixture = try await ServerFixture(backend, jobs: "all-good", "half", "quiet", "mostly", threshold: 864_000)
        let components = try await fixture.components { $0.objectiveInterval = .seconds(3_600) }
        try await buildApplication(components).test(.router) { client in
            for (job, statuses) in [("all-good", ["success", "success"]), ("half", ["success", "failure"]),
                                    ("mostly", ["success", "success", "success", "failure"])] {
                for status in statuses { try await ObjectiveMetricsTests.send(client, job, status) }
            }
            // Eight days ago: outside the 7 days.
            fixture.clock.advance(-8 * 86_400)
            try await ObjectiveMetricsTests.send(client, "quiet", "failure")
            fixture.clock.advance(8 * 86_400)
            try await components.objectives.refresh()
            let browser = Browser()
            try await browser.signIn(client, key: ServerFixture.adminKey)
            let page = try await browser.execute(client, "/dashboard?sort=success_ratio")
            let rows = page.body.matches(of: /<tr data-job="([^"]+)"[\s\S]*?<td class="ratio"( title="([^"]*)")?>([^<]*)<\/td>/)
                .map { ("\($0.1)", "\($0.4)", $0.3.map(String.init)) }
            #expect(rows.map(\.0) == ["half@web1", "mostly@web1", "all-good@web1", "quiet@web1"])
            #expect(rows.map(\.1) == ["50.0%", "75.0%", "100%", "—"])
            #expect(rows[1].2 == "3 of 4 runs succeeded in the last 7 days")
            #expect(page.body.contains(#"<option value="success_ratio" selected>7-day success ratio, lowest first</option>"#))
        }
    }

    @Test("teams page: jobs grouped by a label's value with the API's numbers, failing now, a link to each group's jobs", arguments: StoreBackend.allCases)
    func teams(_ backend: StoreBackend) async throws {
        let fixture = try await ServerFixture(backend, threshold: 864_000)
        try fixture.addJob("a", threshold: 864_000, extra: "labels: {team: infra, tier: db}")
        try fixture.addJob("b", threshold: 864_000, extra: "labels: {team: infra}")
        try fixture.addJob("c", threshold: 864_000, extra: "labels: {team: web}")
        try fixture.addJob("d", threshold: 864_000)
        try await fixture.app().test(.router) { client in
            for (job, status) in [("a", "success"), ("a", "success"), ("b", "failure"), ("c", "success")] {
                try await ObjectiveMetricsTests.send(client, job, status)
            }
            fixture.clock.advance(600)
            let browser = Browser()
            try await browser.signIn(client, key: ServerFixture.adminKey)
            var page = try await browser.execute(client, "/dashboard/teams?window=24h")
            #expect(page.status == .ok)
            #expect(page.body.contains(#"<a href="/dashboard/teams" aria-current="page">Teams</a>"#))
            let rows = page.body.matches(of: /<tr data-group="([^"]+)"><th scope="row"><a href="([^"]+)">(?:<em>)?[^<]*(?:<\/em>)?<\/a><\/th>((?:<td>[^<]*<\/td>)+)<\/tr>/)
                .map { ("\($0.1)", "\($0.2)", "\($0.3)".replacing("</td>", with: "|").replacing("<td>", with: "")) }
            #expect(rows.map(\.0) == ["infra", "web", "(no team label)", "all"])
            #expect(rows.map(\.1) == ["/dashboard?label=team%3Dinfra", "/dashboard?label=team%3Dweb", "/dashboard", "/dashboard"])
            #expect(rows[0].2 == "2|1|3|66.7%|50.0%|—|10 min 00 s|", "jobs, failing now, runs, succeeded, uptime (b failed its 10 min), p95, outage")
            #expect(rows[1].2 == "1|0|1|100%|100%|—|—|")
            #expect(rows[2].2 == "1|0|0|—|100%|—|—|")
            #expect(rows[3].2 == "4|1|4|75.0%|75.0%|—|10 min 00 s|")
            page = try await browser.execute(client, "/dashboard/teams?by=tier&window=90d")
            #expect(page.body.contains(#"<tr data-group="db">"#) && page.body.contains(#"<option value="90d" selected>"#))
            page = try await browser.execute(client, "/dashboard/teams?by=no%20such")
            #expect(page.status == .ok && page.body.contains("group by:"), "a bad label name is said, not a crash")
        }
    }

    @Test("job page: state and why, schedule in words, runs with a duration chart, the file and its path, snippets, notifications", arguments: StoreBackend.allCases)
    func jobPage(_ backend: StoreBackend) async throws {
        let fixture = try await ServerFixture(backend, jobs: "backup", threshold: nil, extra: "schedule: \"30 2 * * 1-5\"\ntimezone: Europe/Berlin\nmax_runtime: 3h")
        try await fixture.app().test(.router) { client in
            for (index, status) in ["success", "failure", "success"].enumerated() {
                let body = #"{"job_name":"backup","host":"web1","status":"\#(status)","duration":\#(10 * (index + 1)),"exit_code":\#(status == "success" ? 0 : 2)}"#
                try await client.execute(uri: "/api/job-result", method: .post, headers: [HTTPField.Name("X-API-Key")!: "key-backup"], body: ByteBuffer(string: body)) {
                    #expect($0.status == .created)
                }
            }
            let browser = Browser()
            try await browser.signIn(client, key: ServerFixture.adminKey)
            let page = try await browser.execute(client, "/dashboard/jobs/backup@web1")
            #expect(page.status == .ok)
            #expect(page.body.contains("at 02:30 on Monday to Friday"))
            #expect(page.body.contains("The last run succeeded at"))
            #expect(page.body.components(separatedBy: "<rect class=").count - 1 == 3, "three bars")
            #expect(page.body.contains("<rect class=\"bad\""))
            #expect(page.body.contains("jobs.d/backup@web1.yaml") && page.body.contains("job_name: backup"))
            #expect(page.body.contains("http://localhost/api/job-result") && page.body.contains("/ping/$CRONMETRICS_KEY"))
            #expect(page.body.contains("cronmetrics run --job backup@web1") && page.body.contains("--timeout 3h"))
            #expect(page.body.contains("CRON_TZ=Europe/Berlin\n30 2 * * 1-5 CRONMETRICS_SERVER="))
            // History: 90 days in the job's zone, today failing (a failed run), the rest not yet counted.
            let cells = page.body.matches(of: /<li class="d-(\w+)" data-date="([0-9-]+)" title="([^"]*)">/).map { ($0.1, $0.2, $0.3) }
            #expect(cells.count == 90)
            #expect(cells.last?.0 == "failing" && cells.last?.1 == "2027-01-15", "08:00 UTC is 09:00 in Berlin")
            #expect(cells.last?.2 == "2027-01-15: failing; 3 runs: 2 succeeded, 1 failed, 0 missed, 0 timed out")
            #expect(cells.first?.1 == "2026-10-18" && cells.dropLast().allSatisfy { $0.0 == "off" })
            #expect(page.body.contains("1 of 1 days counted had a failure"))
            for window in ["24h", "7d", "30d", "90d"] {
                #expect(page.body.contains("<tr><th scope=\"row\">\(window)</th><td>3</td><td>66.7%</td>"), "\(window)")
            }
            #expect(page.body.contains(#"<g class="p50"><path d="M600.0,"#), "a percentile line, today at the right edge")
            #expect(page.body.contains("<title>2027-01-15 p99: 30"), "the p99 of 10, 20 and 30 s, within 1%")
            #expect(page.body.contains("<td>failure</td><td>success</td><td>result</td>"), "the latest flip: failure to success")
            #expect(try await browser.execute(client, "/dashboard/jobs/nobody@web1").status == .notFound)
        }
    }

    @Test("notifications page: dead and queued messages; requeue one and all (admin, with the token)", arguments: StoreBackend.allCases)
    func notifications(_ backend: StoreBackend) async throws {
        let fixture = try await ServerFixture(backend, jobs: "a", extra: "notify: [ops]")
        // A channel nobody answers; the queued row waits an hour, so it stays queued.
        let channel = try NotificationDeliveryTests.webhook("ops", url: "http://127.0.0.1:9/hook")
        try await fixture.app(NotificationDeliveryTests.notifying([channel])).test(.router) { client in
            let now = Int(fixture.clock.now.timeIntervalSince1970)
            for (id, state) in [(1, "dead"), (2, "dead"), (3, "pending")] {
                let event = NotificationEvent(eventId: "ev\(id)", kind: .down, jobId: "a@web1", jobName: "a", host: "web1", labels: [:],
                                              previousStatus: "success", status: "failure", at: fixture.clock.now, lastRun: nil, url: nil)
                let payload = String(decoding: try APICoding.encoder.encode(event), as: UTF8.self)
                try await fixture.execute("""
                    INSERT INTO notifications (id, event_id, channel, job_id, kind, payload, state, attempts, created_at, queued_at, next_attempt_at, last_error, last_status)
                    VALUES (\(id), 'ev\(id)', 'ops', 'a@web1', 'down', '\(payload)', '\(state)', 3, \(now), \(now), \(now + 3600), '<b>oops</b>', 500)
                    """)
            }
            let browser = Browser()
            try await browser.signIn(client, key: ServerFixture.adminKey)
            var page = try await browser.execute(client, "/dashboard/notifications")
            #expect(page.status == .ok, "\(page.body.prefix(500))")
            #expect(page.body.contains("Dead (2)") && page.body.contains("Queued (1)"), "\(page.body)")
            #expect(page.body.contains("&lt;b&gt;oops&lt;/b&gt;"))
            page = try await browser.execute(client, "/dashboard/notifications/1/requeue", method: .post, form: ["csrf": browser.csrf ?? ""])
            #expect(page.status == .seeOther && page.location == "/dashboard/notifications?requeued=1")
            page = try await browser.execute(client, page.location!)
            #expect(page.body.contains("Dead (1)") && page.body.contains("Queued (2)"))
            page = try await browser.execute(client, "/dashboard/notifications/requeue", method: .post, form: ["csrf": browser.csrf ?? ""])
            page = try await browser.execute(client, page.location ?? "/dashboard/notifications")
            #expect(page.body.contains("Dead (0)") && page.body.contains("Queued (3)"))
        }
    }

    /// A `jobs` event of `/dashboard/events` (the server's own JSON, but no API
    /// model: the page's script reads it): changed rows and the counts per state.
    struct FeedEvent: Decodable {
        struct Row: Decodable {
            var id, state, duration: String
        }

        var jobs: [Row]
        var counts: [String: Int]
    }

    @Test("the live feed: a submitted result reaches a subscriber as its new row and counts; nothing is queued per client", arguments: StoreBackend.allCases)
    func liveFeed(_ backend: StoreBackend) async throws {
        let fixture = try await ServerFixture(backend, jobs: "a", "b")
        let components = try await fixture.components()
        try await buildApplication(components).test(.router) { client in
            let feed = components.dashboardFeed
            feed.publish()  // drains the start's evaluations
            guard case let .stream(stream, id) = feed.subscribe(),
                  // A page showing only b: a's change reaches it as counts alone.
                  case let .stream(other, otherID) = feed.subscribe(jobs: ["b@web1"]) else {
                Issue.record("no stream")
                return
            }
            #expect(feed.count == 2)
            let body = #"{"job_name":"a","host":"web1","status":"failure","duration":1.5}"#
            try await client.execute(uri: "/api/job-result", method: .post, headers: [HTTPField.Name("X-API-Key")!: "key-a"], body: ByteBuffer(string: body)) {
                #expect($0.status == .created)
            }
            feed.publish()
            feed.end(id)
            feed.end(otherID)
            var otherEvents: [String] = []
            for await buffer in other { otherEvents.append(String(buffer: buffer)) }
            let countsOnly = try decode(FeedEvent.self, String((otherEvents.last ?? "").dropFirst("event: jobs\ndata: ".count)))
            #expect(countsOnly.jobs.isEmpty, "\(otherEvents)")
            #expect(countsOnly.counts["failing"] == 1)
            var events: [String] = []
            for await buffer in stream { events.append(String(buffer: buffer)) }
            #expect(events.count == 2, "\(events)")
            #expect(events.first?.hasPrefix("retry: 2000") == true)
            let event = events.last ?? ""
            #expect(event.hasPrefix("event: jobs\ndata: {"))
            let data = try decode(FeedEvent.self, String(event.dropFirst("event: jobs\ndata: ".count)))
            let jobs = data.jobs
            #expect(jobs.count == 1 && jobs.first?.id == "a@web1" && jobs.first?.state == "failing")
            #expect(jobs.first?.duration == "1.5 s")
            #expect(data.counts["failing"] == 1)
            #expect(feed.count == 0)
        }
    }

    @Test("a template that is missing or does not compile stops the start, naming it")
    func templatesCheckedAtStart() throws {
        var sources = Dictionary(uniqueKeysWithValues: DashboardTemplate.allCases.map { ($0, $0.source) })
        #expect(throws: Never.self) { try DashboardViews(sources: sources) }
        sources[.job] = Array("<h1>{{#row}}unclosed".utf8)
        let broken = #expect(throws: DashboardViews.TemplateError.self) { try DashboardViews(sources: sources) }
        #expect(broken?.template == .job)
        #expect(broken?.description.hasPrefix("dashboard template 'job' cannot be used:") == true)
        sources[.job] = nil
        let missing = #expect(throws: DashboardViews.TemplateError.self) { try DashboardViews(sources: sources) }
        #expect(missing?.description == "dashboard template 'job' cannot be used: missing")
    }
}
