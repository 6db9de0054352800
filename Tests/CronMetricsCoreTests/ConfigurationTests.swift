import CronMetricsTestSupport
import Foundation
import Synchronization
import Testing
@testable import CronMetricsCore

@Suite("Configuration: file < environment < flag")
struct ConfigurationTests {
    @Test("each layer overrides the one before, and says where a value came from")
    func precedence() throws {
        let dir = try TempDir()
        let file = try dir.write("cronmetrics.yaml", """
            server:
              listen: 0.0.0.0:9000
            jobs:
              dir: /srv/jobs.d
            storage:
              database: /var/lib/cm.db
            retention:
              days: 7
            """)
        let config = try AppConfiguration(
            file: file,
            environment: ["CRONMETRICS_JOBS_DIR": "/env/jobs.d", "CRONMETRICS_STORAGE_DATABASE": "/env/cm.db", "CRONMETRICS_SECURITY_ADMIN_API_KEYS": "a, b"],
            flags: [.database: FlagValue("/flag/cm.db", flag: "--database")])
        #expect(config.string(.listen) == "0.0.0.0:9000")
        #expect(config.setting(.listen)?.source == "\(file):2:3")
        #expect(config.string(.jobsDir) == "/env/jobs.d")
        #expect(config.setting(.jobsDir)?.source == "env CRONMETRICS_JOBS_DIR")
        #expect(config.string(.database) == "/flag/cm.db")
        #expect(config.setting(.database)?.source == "flag --database")
        #expect(config.integer(.retentionDays) == 7)
        #expect(config.list(.adminAPIKeys) == ["a", "b"])
        #expect(config.string(.logLevel) == "info")
        #expect(config.setting(.logLevel)?.source == "default")
    }

    @Test("unknown keys and bad values are errors with file:line:column; all are reported")
    func errors() throws {
        let dir = try TempDir()
        let file = try dir.write("bad.yaml", "server:\n  lisen: x\nretention:\n  days: 0\n  redact_output: maybe\nlogs:\n  level: info\n")
        #expect {
            try AppConfiguration(file: file, environment: ["CRONMETRICS_LOG_FORMAT": "xml"])
        } throws: { error in
            (error as? ConfigError)?.problems == [
                "\(file):2:3: unknown key 'server.lisen' (did you mean 'server.listen'?)",
                "\(file):4:3: 'retention.days' must be a whole number from 1 to 36500 (got \"0\")",
                "\(file):5:3: 'retention.redact_output' must be true or false (got \"maybe\")",
                "\(file):6:1: unknown key 'logs' (did you mean 'log'?)",
                "env CRONMETRICS_LOG_FORMAT: 'log.format' must be one of text, json (got \"xml\")",
            ]
        }
    }

    @Test("numbers are bounded: huge values are errors, not traps later", arguments: [
        ("CRONMETRICS_RETENTION_DAYS", "9223372036854775807", "'retention.days' must be a whole number from 1 to 36500 (got \"9223372036854775807\")"),
        ("CRONMETRICS_RETENTION_DAYS", "99999999999999999999999", "'retention.days' must be a whole number from 1 to 36500 (got \"99999999999999999999999\")"),
        ("CRONMETRICS_SERVER_MAX_BODY_BYTES", "1099511627776", "'server.max_body_bytes' must be a whole number from 1024 to 67108864 (got \"1099511627776\")"),
        ("CRONMETRICS_JOBS_POLL_INTERVAL_SECONDS", "0", "'jobs.poll_interval_seconds' must be a whole number from 1 to 3600 (got \"0\")"),
    ])
    func bounded(variable: String, value: String, message: String) {
        #expect {
            try AppConfiguration(file: nil, environment: [variable: value])
        } throws: { error in
            (error as? ConfigError)?.problems == ["env \(variable): \(message)"]
        }
    }

    @Test("a list from the environment may be a JSON array, for items with commas")
    func jsonListFromEnvironment() throws {
        let config = try AppConfiguration(file: nil, environment: ["CRONMETRICS_RETENTION_REDACT_PATTERNS": #"["\\d{1,3}", "token=[^ ]+"]"#])
        #expect(config.list(.redactPatterns) == [#"\d{1,3}"#, "token=[^ ]+"])
        let plain = try AppConfiguration(file: nil, environment: ["CRONMETRICS_RETENTION_REDACT_PATTERNS": "a, b"])
        #expect(plain.list(.redactPatterns) == ["a", "b"])
        #expect(throws: ConfigError.self) {
            try AppConfiguration(file: nil, environment: ["CRONMETRICS_RETENTION_REDACT_PATTERNS": "[not json"])
        }
    }

    @Test("no file at all: the defaults run the server")
    func defaults() throws {
        let config = try AppConfiguration(file: nil, environment: [:])
        #expect(config.string(.listen) == "127.0.0.1:8080")
        #expect(config.string(.jobsDir) == "./jobs.d")
        #expect(config.string(.database) == "./cronmetrics.db")
        #expect(config.integer(.retentionDays) == 30)
        #expect(config.integer(.maxOutputBytes) == 65536)
        #expect(config.optionalString(.tlsCertFile) == nil)
    }
}
