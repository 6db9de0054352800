import CronMetricsCore
import CronMetricsTestSupport
import Foundation
import Testing

/// The Go cron-exporter's configuration keeps working: its YAML keys and
/// CRONMETRICS_* variables as deprecated aliases (each warned about, shown in
/// `config show` as the value's source), its other settings named in a warning;
/// and `config example` is a complete, valid file.
@Suite("cron-exporter settings and config example")
struct CronExporterConfigTests {
    static let oldFile = """
        server:
          host: "0.0.0.0"
          port: 9090
          read_timeout: 30
          idle_timeout: 120
        database:
          path: "/var/lib/cronmetrics/cronmetrics.db"
          max_open_conns: 25
        metrics:
          path: "/metrics"
        logging:
          level: "warn"
          format: "json"
          output: "stdout"
        security:
          require_https: false
          tls_cert_file: ""
          api_keys: ["global-key"]
          admin_api_keys: ["sha256:5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8"]
        dashboard:
          enabled: false
          title: "Cron Monitor"

        """

    /// `config show` rows by key: (value, source).
    static func rows(_ text: String) -> [String: (value: String, source: String)] {
        var rows: [String: (String, String)] = [:]
        for line in text.split(separator: "\n").dropFirst() {
            let cells = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            guard cells.count >= 3 else { continue }
            let valueEnd = cells.firstIndex { $0.hasPrefix("/") || $0 == "default" || $0 == "env" || $0 == "flag" } ?? 2
            rows[cells[0]] = (cells[1..<max(valueEnd, 2)].joined(separator: " "), cells[valueEnd...].joined(separator: " "))
        }
        return rows
    }

    @Test("the original's config.yaml: aliases applied and shown as deprecated, each old key warned about with file:line, the rest named")
    func oldYAML() throws {
        let tree = try TempDir()
        try tree.write("config.yaml", Self.oldFile)
        let shown = try CLIRunner.run(["config", "show", "--config", "\(tree.path)/config.yaml"])
        #expect(shown.status == 0, "\(shown.stderr)")
        let rows = Self.rows(shown.stdout)
        #expect(rows["server.listen"]?.value == "0.0.0.0:9090")
        #expect(rows["server.listen"]?.source == "\(tree.path)/config.yaml:3:3 (deprecated 'server.port')")
        #expect(rows["storage.database"]?.value == "/var/lib/cronmetrics/cronmetrics.db")
        #expect(rows["storage.pool_size"]?.source == "\(tree.path)/config.yaml:8:3 (deprecated 'database.max_open_conns')")
        #expect(rows["log.level"]?.value == "warning", "logrus' warn is swift-log's warning")
        #expect(rows["log.format"]?.value == "json")
        #expect(rows["server.idle_timeout_seconds"]?.value == "120")
        #expect(rows["server.tls.cert_file"]?.value == "(none)")
        #expect(rows["security.admin_api_keys"]?.value == "1 value(s), masked")
        let warnings = shown.stderr.split(separator: "\n").map(String.init)
        for (line, key, new) in [(2, "server.host", "server.listen"), (3, "server.port", "server.listen"), (7, "database.path", "storage.database"),
                                 (8, "database.max_open_conns", "storage.pool_size"),
                                 (12, "logging.level", "log.level"), (13, "logging.format", "log.format")] {
            #expect(warnings.contains { $0.hasPrefix("warning: \(tree.path)/config.yaml:\(line):3: '\(key)' is the cron-exporter's name; write '\(new)'") },
                    "\(key): \(shown.stderr)")
        }
        for (line, key) in [(4, "server.read_timeout"), (10, "metrics.path"), (14, "logging.output"),
                            (16, "security.require_https"), (18, "security.api_keys")] {
            #expect(warnings.contains { $0.hasPrefix("warning: \(tree.path)/config.yaml:\(line):3: '\(key)' is a cron-exporter setting cronmetrics does not have") },
                    "\(key): \(shown.stderr)")
        }
        // Its dashboard section means the same here: read, not warned about.
        #expect(!warnings.contains { $0.contains("'dashboard") }, "\(shown.stderr)")
        #expect(rows["dashboard.enabled"]?.value == "false")
        #expect(rows["dashboard.title"]?.value == "Cron Monitor")
        let validated = try CLIRunner.run(["config", "validate", "\(tree.path)/config.yaml"])
        #expect(validated.status == 0, "warnings do not fail validation: \(validated.stderr)")
        // A new key in the same file wins over the old one.
        try tree.write("both.yaml", "server:\n  listen: 127.0.0.1:7000\n  port: 9090\n")
        let both = try CLIRunner.run(["config", "show", "--config", "\(tree.path)/both.yaml"])
        #expect(Self.rows(both.stdout)["server.listen"]?.value == "127.0.0.1:7000")
        #expect(both.stderr.contains("'server.port' (the cron-exporter's name) is ignored: 'server.listen' is set in the same file"))
        try tree.write("bad.yaml", "server:\n  port: 99999\n")
        let bad = try CLIRunner.run(["config", "show", "--config", "\(tree.path)/bad.yaml"])
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("bad.yaml:2:3: 'server.port' must be a port from 1 to 65535 (got \"99999\")"))
    }

    @Test("the original's variables: aliases below the new names, each warned about; unknown ones named")
    func oldEnvironment() throws {
        let old = ["CRONMETRICS_SERVER_HOST": "0.0.0.0", "CRONMETRICS_SERVER_PORT": "9191", "CRONMETRICS_DATABASE_PATH": "/tmp/old.db",
                   "CRONMETRICS_LOGGING_LEVEL": "debug", "CRONMETRICS_LOGGING_FORMAT": "json",
                   "CRONMETRICS_SECURITY_TLS_CERT_FILE": "", "CRONMETRICS_DASHBOARD_ENABLED": "true"]
        let shown = try CLIRunner.run(["config", "show"], environment: old)
        #expect(shown.status == 0, "\(shown.stderr)")
        let rows = Self.rows(shown.stdout)
        #expect(rows["server.listen"]?.value == "0.0.0.0:9191")
        #expect(rows["server.listen"]?.source == "env CRONMETRICS_SERVER_PORT (deprecated)")
        #expect(rows["storage.database"]?.value == "/tmp/old.db")
        #expect(rows["log.level"]?.value == "debug")
        #expect(rows["log.format"]?.source == "env CRONMETRICS_LOGGING_FORMAT (deprecated)")
        for (name, new) in [("CRONMETRICS_SERVER_HOST", "CRONMETRICS_SERVER_LISTEN"), ("CRONMETRICS_DATABASE_PATH", "CRONMETRICS_STORAGE_DATABASE"),
                            ("CRONMETRICS_LOGGING_LEVEL", "CRONMETRICS_LOG_LEVEL"), ("CRONMETRICS_SECURITY_TLS_CERT_FILE", "CRONMETRICS_SERVER_TLS_CERT_FILE")] {
            #expect(shown.stderr.contains("warning: env \(name) is the cron-exporter's name; set \(new)"), "\(name)")
        }
        // Its CRONMETRICS_DASHBOARD_ENABLED is ours too, with the same meaning.
        #expect(!shown.stderr.contains("CRONMETRICS_DASHBOARD_ENABLED"), "\(shown.stderr)")
        #expect(rows["dashboard.enabled"]?.source == "env CRONMETRICS_DASHBOARD_ENABLED")
        var both = old
        both["CRONMETRICS_STORAGE_DATABASE"] = "/tmp/new.db"
        let newWins = try CLIRunner.run(["config", "show"], environment: both)
        #expect(Self.rows(newWins.stdout)["storage.database"]?.value == "/tmp/new.db")
        #expect(newWins.stderr.contains("env CRONMETRICS_DATABASE_PATH (the cron-exporter's name) is ignored: CRONMETRICS_STORAGE_DATABASE is set too"))
    }

    @Test("config example is valid and sets every key from the file")
    func example() throws {
        let tree = try TempDir()
        let example = try CLIRunner.run(["config", "example"])
        #expect(example.status == 0)
        try tree.write("cronmetrics.yaml", example.stdout)
        let validated = try CLIRunner.run(["config", "validate", "\(tree.path)/cronmetrics.yaml"])
        #expect(validated.status == 0, "\(validated.stderr)")
        #expect(validated.stderr.isEmpty, "no warnings: \(validated.stderr)")
        let rows = Self.rows(try CLIRunner.run(["config", "show", "--config", "\(tree.path)/cronmetrics.yaml"]).stdout)
        for key in ConfigKey.all {
            #expect(rows[key.key]?.source.hasPrefix("\(tree.path)/cronmetrics.yaml:") == true, "\(key.key) is not in the example")
        }
        for kind in ["webhook", "slack", "email", "pagerduty"] {
            #expect(example.stdout.contains("type: \(kind)"), "a commented \(kind) channel")
        }
    }
}
