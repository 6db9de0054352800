import CronMetricsCore
import CronMetricsTestSupport
import Foundation
import Glibc
import Testing

/// No secret reaches a log line, at any level: the server runs at `trace`
/// with a secret planted in each kind of setting, and is made to log all it
/// can (start, requests with keys in paths and headers, sign-ins, failing
/// deliveries to every channel kind, a reload, shutdown).
@Suite("Secrets stay out of the log")
struct SecretsInLogsTests {
    /// Each planted secret, by the setting it stands in.
    static let secrets = [
        "admin key": "admin-PLANT-1", "read key": "read-PLANT-2", "badge key": "badge-PLANT-3",
        "job key": "job-PLANT-4", "webhook path": "PLANT-5-url-token", "webhook secret": "hmac-PLANT-6",
        "webhook header": "header-PLANT-7", "slack url": "PLANT-8-slack", "smtp password": "smtp-PLANT-9",
        "pagerduty routing key": "pd-PLANT-10", "wrong sign-in key": "guess-PLANT-11",
    ]

    @Test("a server at log level trace prints no key, key hash, URL token, password or routing key")
    func noSecretInAnyLine() async throws {
        let tree = try TempDir()
        let closed = ServerProcess.freePort()
        for (name, setting) in [("hmac", "webhook secret"), ("smtp", "smtp password"), ("pd", "pagerduty routing key")] {
            try tree.write(name, Self.secrets[setting]!)
        }
        try tree.write("cronmetrics.yaml", """
            security:
              admin_api_keys: [\(Self.secrets["admin key"]!)]
              read_api_keys: [\(Self.secrets["read key"]!)]
            dashboard:
              badge_key: \(Self.secrets["badge key"]!)
            log:
              level: trace
            notifications:
              retry: {base: 1s, cap: 1s, max_attempts: 2}
              connect_timeout: 1s
              default_channels: [hook, chat, mail, pager]
              channels:
                hook: {type: webhook, url: "http://127.0.0.1:\(closed)/hook/\(Self.secrets["webhook path"]!)?token=\(Self.secrets["webhook path"]!)",
                       secret_file: \(tree.path)/hmac, headers: {Authorization: "Bearer \(Self.secrets["webhook header"]!)"}}
                chat: {type: slack, url: "http://127.0.0.1:\(closed)/services/\(Self.secrets["slack url"]!)"}
                mail: {type: email, host: 127.0.0.1, port: \(closed), starttls: true, username: cron, password_file: \(tree.path)/smtp,
                       from: cron@example.com, to: [ops@example.com]}
                pager: {type: pagerduty, routing_key_file: \(tree.path)/pd, url: "http://127.0.0.1:\(closed)/v2/enqueue"}

            """)
        try tree.write("jobs.d/leak@web1.yaml", "version: 1\njob_name: leak\nhost: web1\nautomatic_failure_threshold: 1h\n"
            + "api_key_sha256: \(APIKeyHash.sha256Hex(of: Self.secrets["job key"]!))\n")
        let log = "\(tree.path)/server.log"
        let server = try ServerProcess(jobsDir: "\(tree.path)/jobs.d", database: "\(tree.path)/cm.db",
                                       environment: ["CRONMETRICS_SECURITY_ADMIN_API_KEYS": ""],
                                       arguments: ["--config", "\(tree.path)/cronmetrics.yaml"], log: log)
        try await server.waitUntilReady()
        let admin = ["-H", "Authorization: Bearer \(Self.secrets["admin key"]!)"]
        let job = Self.secrets["job key"]!
        _ = try Self.curl(["-X", "POST", "-H", "X-API-Key: \(job)", "-H", "Content-Type: application/json",
                           "-d", #"{"job_name":"leak","host":"web1","status":"failure"}"#, "\(server.url)/api/job-result"])
        _ = try Self.curl(["\(server.url)/ping/\(job)/fail?rid=r1"])
        _ = try Self.curl(["\(server.url)/ping/\(job)/log", "-d", "output"])
        _ = try Self.curl(["\(server.url)/badge/\(Self.secrets["badge key"]!)/all.svg"])
        _ = try Self.curl(["\(server.url)/badge/\(Self.secrets["badge key"]!)"])
        _ = try Self.curl(admin + ["\(server.url)/api/job/leak@web1"])
        _ = try Self.curl(["-H", "Authorization: Bearer \(Self.secrets["read key"]!)", "\(server.url)/api/job"])
        _ = try Self.curl(["-H", "Authorization: Bearer \(Self.secrets["wrong sign-in key"]!)", "\(server.url)/api/job"])
        _ = try Self.curl(["-X", "POST", "--data-urlencode", "key=\(Self.secrets["wrong sign-in key"]!)", "\(server.url)/dashboard/signin"])
        _ = try Self.curl(admin + ["-X", "POST", "\(server.url)/api/notifications/test?channel=hook"])
        kill(server.pid, SIGHUP)
        // Until every channel's first delivery has failed and been logged.
        for _ in 0..<100 {
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            if ["hook", "chat", "mail", "pager"].allSatisfy({ channel in text.contains("will retry") && text.contains("channel=\(channel)") }) { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        server.stop()
        let text = try String(contentsOfFile: log, encoding: .utf8)
        // The log did say a lot: every level down to trace, and the lines that leaked before.
        for expected in ["level=trace", "level=debug", "Starting service", "configuration reloaded", "not delivered; will retry",
                         "path=/badge/…/all.svg", "path=/ping/…/fail"] {
            #expect(text.contains(expected), "the log lacks \(expected)")
        }
        for (setting, secret) in Self.secrets {
            #expect(!text.contains(secret), "the \(setting) is in the log")
            #expect(!text.contains(APIKeyHash.sha256Hex(of: secret)), "the hash of the \(setting) is in the log")
        }
    }

    static func curl(_ arguments: [String]) throws -> Int32 {
        let process = TestProcess()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        process.arguments = ["-s", "-o", "/dev/null", "-m", "10"] + arguments
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }
}
