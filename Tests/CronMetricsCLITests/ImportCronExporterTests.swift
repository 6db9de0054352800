import CronMetricsCore
import CronMetricsTestSupport
import Foundation
import Testing

/// `cronmetrics import cron-exporter` on a database with the Go
/// cron-exporter's schema, built the way its migrations 001–004 build it.
@Suite("cronmetrics import cron-exporter", .serialized)
struct ImportCronExporterTests {
    /// The original's schema, step by step as its four migrations make it
    /// (001 jobs, 002 job_results, 003 api_key, 004 jobs rebuilt with an id).
    static let schema = """
        CREATE TABLE migrations (filename TEXT PRIMARY KEY, applied_at DATETIME DEFAULT CURRENT_TIMESTAMP);
        CREATE TABLE jobs (name TEXT NOT NULL, host TEXT NOT NULL, automatic_failure_threshold INTEGER NOT NULL DEFAULT 3600,
          labels TEXT NOT NULL DEFAULT '{}', status TEXT NOT NULL DEFAULT 'active', last_reported_at DATETIME DEFAULT CURRENT_TIMESTAMP,
          created_at DATETIME DEFAULT CURRENT_TIMESTAMP, updated_at DATETIME DEFAULT CURRENT_TIMESTAMP, PRIMARY KEY (name, host));
        CREATE INDEX idx_jobs_status ON jobs(status);
        CREATE INDEX idx_jobs_last_reported ON jobs(last_reported_at);
        INSERT INTO migrations (filename) VALUES ('001_create_jobs_table.sql');
        CREATE TABLE job_results (id INTEGER PRIMARY KEY AUTOINCREMENT, job_name TEXT NOT NULL, host TEXT NOT NULL, status TEXT NOT NULL,
          labels TEXT DEFAULT '{}', duration INTEGER, output TEXT, timestamp DATETIME NOT NULL, created_at DATETIME DEFAULT CURRENT_TIMESTAMP,
          FOREIGN KEY (job_name, host) REFERENCES jobs(name, host) ON DELETE CASCADE);
        CREATE INDEX idx_job_results_job ON job_results(job_name, host);
        INSERT INTO migrations (filename) VALUES ('002_create_job_results_table.sql');
        ALTER TABLE jobs ADD COLUMN api_key TEXT;
        CREATE UNIQUE INDEX idx_jobs_api_key ON jobs(api_key) WHERE api_key IS NOT NULL;
        INSERT INTO migrations (filename) VALUES ('003_add_api_key_to_jobs.sql');
        CREATE TABLE jobs_new (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, host TEXT NOT NULL, api_key TEXT,
          automatic_failure_threshold INTEGER NOT NULL DEFAULT 3600, labels TEXT NOT NULL DEFAULT '{}', status TEXT NOT NULL DEFAULT 'active',
          last_reported_at DATETIME DEFAULT CURRENT_TIMESTAMP, created_at DATETIME DEFAULT CURRENT_TIMESTAMP,
          updated_at DATETIME DEFAULT CURRENT_TIMESTAMP, UNIQUE(name, host));
        INSERT INTO jobs_new (name, host, api_key, automatic_failure_threshold, labels, status, last_reported_at, created_at, updated_at)
          SELECT name, host, api_key, automatic_failure_threshold, labels, status, last_reported_at, created_at, updated_at FROM jobs;
        DROP TABLE jobs;
        ALTER TABLE jobs_new RENAME TO jobs;
        CREATE INDEX idx_jobs_status ON jobs(status);
        CREATE INDEX idx_jobs_last_reported ON jobs(last_reported_at);
        CREATE INDEX idx_jobs_name_host ON jobs(name, host);
        ALTER TABLE job_results ADD COLUMN job_id INTEGER REFERENCES jobs(id);
        CREATE INDEX idx_job_results_job_id ON job_results(job_id);
        INSERT INTO migrations (filename) VALUES ('004_add_job_id_column.sql');

        """

    static let backupKey = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"

    /// A row for every status, odd labels, keys present, empty, missing and
    /// short, names we refuse, and ids that differ only in case.
    static let rows = """
        INSERT INTO jobs (name, host, api_key, automatic_failure_threshold, labels, status) VALUES
          ('backup', 'db1', '\(backupKey)', 86400, '{"env":"prod","team-name":"infra","host":"db1-old","note":"quote \\" and ünïcode\\nnewline","empty":""}', 'active'),
          ('report', 'web1', 'report-key-0123456789abcdef0123456789', 3600, '{"retries":3,"gone":null}', 'maintenance'),
          ('cleanup', 'web1', NULL, 600, '{}', 'paused'),
          ('rotate', 'web1', '', 900, '{"__meta":"x","1st":"y"}', 'active'),
          ('short', 'web2', 'shortkey', 60, 'not json', 'disabled'),
          ('nightly backup', 'db1', 'spaced-key-0123456789abcdef0123456789', 3600, '{}', 'active'),
          ('zero', 'db1', 'zero-key-0123456789abcdef0123456789abc', 0, '{}', 'active'),
          ('Backup', 'db1', 'upper-key-0123456789abcdef0123456789ab', 86400, '{}', 'active');
        INSERT INTO job_results (job_name, host, status, duration, output, timestamp, job_id) VALUES
          ('backup', 'db1', 'success', 42, 'dumped 3 GB', '2026-11-20 03:00:41', 1),
          ('backup', 'db1', 'failure', 7, 'pg_dump: connection refused', '2026-11-21 03:00:07.123456789+00:00', 1),
          ('backup', 'db1', 'success', 40, NULL, '2026-11-22T03:00:40Z', 1),
          ('report', 'web1', 'success', 5, 'ok', '2026-11-22 08:00:05+01:00', 2),
          ('report', 'web1', 'unknown', 5, 'ok', '2026-11-22 09:00:05', 2),
          ('nightly backup', 'db1', 'success', 1, NULL, '2026-11-22 03:00:01', 6);

        """

    /// A temp tree with the original's database as `old.db`.
    static func oldDatabase() throws -> TempDir {
        let tree = try TempDir()
        try tree.write("old.sql", schema + rows)
        let made = TestProcess()
        made.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        made.arguments = ["sqlite3", "\(tree.path)/old.db", ".read \(tree.path)/old.sql"]
        try made.run()
        made.waitUntilExit()
        #expect(made.terminationStatus == 0, "sqlite3 built the fixture")
        return tree
    }

    /// Every file under jobs.d with its content.
    static func files(_ tree: TempDir) throws -> [String: String] {
        let root = "\(tree.path)/jobs.d"
        var files: [String: String] = [:]
        for path in (FileManager.default.enumerator(atPath: root)?.allObjects as? [String] ?? []) where path.hasSuffix(".yaml") {
            files[path] = try String(contentsOfFile: "\(root)/\(path)", encoding: .utf8)
        }
        return files
    }

    @Test("dry run, import, a second run that changes nothing; every refusal and change reported; the old keys still work")
    func importJobs() async throws {
        let tree = try Self.oldDatabase()
        let arguments = ["import", "cron-exporter", "--database", "\(tree.path)/old.db", "--jobs-dir", "\(tree.path)/jobs.d"]

        let dry = try CLIRunner.run(arguments + ["--dry-run"])
        #expect(dry.status == 1, "refusals and a conflict make exit 1")
        #expect(dry.stdout.contains("8 jobs in \(tree.path)/old.db (dry run: nothing is written):"))
        #expect(dry.stdout.contains("  create    backup@db1.yaml  (row 1 (backup@db1))"))
        #expect(!FileManager.default.fileExists(atPath: "\(tree.path)/jobs.d"), "a dry run writes nothing")

        let first = try CLIRunner.run(arguments)
        #expect(first.status == 1)
        let out = first.stdout
        for line in ["  created   backup@db1.yaml  (row 1 (backup@db1))", "  created   report@web1.yaml  (row 2 (report@web1))",
                     "  created   cleanup@web1.yaml  (row 3 (cleanup@web1))", "  created   rotate@web1.yaml  (row 4 (rotate@web1))",
                     "  created   short@web2.yaml  (row 5 (short@web2))", "  refused   row 6 (\"nightly backup\"@db1):",
                     "  refused   row 7 (zero@db1):", "  conflict  Backup@db1  (row 8 (Backup@db1)): backup@db1 differs from it only in case",
                     "5 created, 0 unchanged, 1 conflict, 2 refused"] {
            #expect(out.contains(line), "\(line)\n\(out)")
        }
        for note in ["label 'team-name' is not a valid label name: imported as 'team_name'", "label 'host' is not a valid label name: imported as 'exported_host'",
                     "label 'retries' is not a string: imported as \"3\"", "label 'gone' is null: not imported",
                     "label '__meta' is not a valid label name: imported as '_meta'", "label '1st' is not a valid label name: imported as 'exported_1st'",
                     "no API key: the job accepts no results", "its key has 8 characters", "labels are not a JSON object",
                     "status disabled is not active, maintenance or paused: imported as active", "rename the job in the old tool",
                     "automatic_failure_threshold 0 is not from 1 s to 3650 days"] {
            #expect(out.contains(note), "\(note)\n\(out)")
        }
        let files = try Self.files(tree)
        #expect(files.keys.sorted() == ["backup@db1.yaml", "cleanup@web1.yaml", "report@web1.yaml", "rotate@web1.yaml", "short@web2.yaml"])
        let backup = try #require(files["backup@db1.yaml"])
        #expect(backup.contains("api_key_sha256: \(APIKeyHash.sha256Hex(of: Self.backupKey))"))
        #expect(backup.contains("automatic_failure_threshold: 86400"))
        #expect(backup.contains("team_name: infra") && backup.contains("exported_host: db1-old") && backup.contains("empty: \"\"") && backup.contains(#"note: "quote \" and ünïcode\nnewline""#))
        #expect(files["report@web1.yaml"]?.contains("status: maintenance") == true)
        #expect(files["cleanup@web1.yaml"]?.contains("status: paused") == true)
        #expect(files["cleanup@web1.yaml"]?.contains("api_key_sha256") == false)
        let validated = try CLIRunner.run(["validate", "\(tree.path)/jobs.d"])
        #expect(validated.status == 0, "\(validated.stdout)\(validated.stderr)")

        let second = try CLIRunner.run(arguments)
        #expect(second.stdout.contains("0 created, 5 unchanged, 1 conflict, 2 refused"))
        #expect(second.stdout.contains("  same      backup@db1.yaml  (row 1 (backup@db1)): already imported"))
        #expect(try Self.files(tree) == files, "a second run changes nothing")

        // The cron hosts keep their keys and their curl lines (no Content-Type).
        let server = try ServerProcess(jobsDir: "\(tree.path)/jobs.d", database: "\(tree.path)/cm.db")
        defer { server.stop() }
        try await server.waitUntilReady()
        let curl = TestProcess()
        curl.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        curl.arguments = ["-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST", "\(server.url)/api/job-result", "-H", "X-API-Key: \(Self.backupKey)",
                          "-d", #"{"job_name":"backup","host":"db1","status":"success","duration":42}"#]
        let pipe = Pipe()
        curl.standardOutput = pipe
        try curl.run()
        curl.waitUntilExit()
        #expect(String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self) == "201")
    }

    @Test("--with-history copies the results of imported jobs once; unreadable ones are counted")
    func history() throws {
        let tree = try Self.oldDatabase()
        let arguments = ["import", "cron-exporter", "--database", "\(tree.path)/old.db", "--jobs-dir", "\(tree.path)/jobs.d",
                         "--with-history", "--into", "\(tree.path)/cm.db"]
        let dry = try CLIRunner.run(arguments + ["--dry-run"])
        #expect(dry.stdout.contains("history: 4 results to copy (1 with an unreadable status or time skipped)"), "\(dry.stdout)")
        let first = try CLIRunner.run(arguments)
        #expect(first.stdout.contains("history: 4 results copied into \(tree.path)/cm.db, 0 already there"), "\(first.stdout)\(first.stderr)")
        let second = try CLIRunner.run(arguments)
        #expect(second.stdout.contains("history: 0 results copied into \(tree.path)/cm.db, 4 already there"), "\(second.stdout)")
        let count = TestProcess()
        count.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        count.arguments = ["sqlite3", "\(tree.path)/cm.db", "SELECT job_id, status, duration, received_at FROM results ORDER BY received_at"]
        let pipe = Pipe()
        count.standardOutput = pipe
        try count.run()
        count.waitUntilExit()
        let lines = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).split(separator: "\n")
        #expect(lines.map { $0.split(separator: "|").prefix(3).joined(separator: "|") }
            == ["backup@db1|success|42.0", "backup@db1|failure|7.0", "backup@db1|success|40.0", "report@web1|success|5.0"])
        #expect(lines.first?.hasSuffix("|1795143641.0") == true, "2026-11-20 03:00:41 UTC: \(lines.first ?? "")")
    }

    /// Rows of `sqlite3` output for `sql` on `database`.
    static func query(_ database: String, _ sql: String) throws -> [String] {
        let process = TestProcess()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["sqlite3", database, sql]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        process.waitUntilExit()
        return String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).split(separator: "\n").map(String.init)
    }

    @Test("--with-history redacts and caps imported outputs exactly like submitted ones")
    func historyRedacted() throws {
        let tree = try Self.oldDatabase()
        _ = try Self.query("\(tree.path)/old.db", """
            INSERT INTO job_results (job_name, host, status, duration, output, timestamp, job_id) VALUES
              ('backup', 'db1', 'failure', 3, 'login as admin password=hunter2 failed', '2026-11-23 03:00:00', 1);
            """)
        let arguments = ["import", "cron-exporter", "--database", "\(tree.path)/old.db", "--jobs-dir", "\(tree.path)/jobs.d",
                         "--with-history", "--into", "\(tree.path)/cm.db"]
        let patterns = try CLIRunner.run(arguments, environment: ["CRONMETRICS_RETENTION_REDACT_PATTERNS": #"password=\S+"#,
                                                                   "CRONMETRICS_RETENTION_MAX_OUTPUT_BYTES": "20"])
        #expect(patterns.stdout.contains("history: 5 results copied"), "\(patterns.stdout)\(patterns.stderr)")
        let outputs = try Self.query("\(tree.path)/cm.db", "SELECT COALESCE(output, '<null>') FROM results ORDER BY received_at")
        // The last 20 bytes of each, after the pattern: as a submission is stored.
        #expect(outputs == ["dumped 3 GB", ": connection refused", "<null>", "ok", "in [REDACTED] failed"])
        let dropped = try TempDir()
        try FileManager.default.copyItem(atPath: "\(tree.path)/old.db", toPath: "\(dropped.path)/old.db")
        let none = try CLIRunner.run(["import", "cron-exporter", "--database", "\(dropped.path)/old.db", "--jobs-dir", "\(dropped.path)/jobs.d",
                                      "--with-history", "--into", "\(dropped.path)/cm.db"], environment: ["CRONMETRICS_RETENTION_REDACT_OUTPUT": "true"])
        #expect(none.stdout.contains("history: 5 results copied"))
        #expect(try Self.query("\(dropped.path)/cm.db", "SELECT count(*) FROM results WHERE output IS NOT NULL") == ["0"])
    }

    @Test("values of the wrong type in the old database refuse their row with the reason; the run never traps")
    func wrongTypes() throws {
        let tree = try TempDir()
        // Columns without a declared type keep whatever they are given.
        try tree.write("odd.sql", """
            CREATE TABLE jobs (id INTEGER PRIMARY KEY, name, host, api_key, automatic_failure_threshold, labels, status);
            INSERT INTO jobs (name, host, api_key, automatic_failure_threshold, labels, status) VALUES
              ('good', 'web1', 'good-key-0123456789abcdef0123456789ab', 3600, '{}', 'active'),
              (12345, 'web1', 'number-key-0123456789abcdef0123456789', 3600, '{}', 'active'),
              ('word', 'web1', 'word-key-0123456789abcdef0123456789ab', 'abc', '{}', 'active'),
              ('blob', x'00ff', 'blob-key-0123456789abcdef0123456789ab', 60, '{}', 'active'),
              ('texty', 'web1', 'texty-key-0123456789abcdef0123456789a', '120', 7, 'active');
            CREATE TABLE job_results (id INTEGER PRIMARY KEY, job_name, host, status, duration, output, timestamp);
            INSERT INTO job_results (job_name, host, status, duration, output, timestamp) VALUES
              ('good', 'web1', 'success', 'abc', 42, '2026-11-20 03:00:00'),
              (12345, 'web1', 'success', 1, 'x', '2026-11-20 03:00:00'),
              ('good', 'web1', 'failure', 2.5, 'real', '2026-11-21 03:00:00');

            """)
        _ = try Self.query("\(tree.path)/odd.db", ".read \(tree.path)/odd.sql")
        let outcome = try CLIRunner.run(["import", "cron-exporter", "--database", "\(tree.path)/odd.db", "--jobs-dir", "\(tree.path)/jobs.d",
                                         "--with-history", "--into", "\(tree.path)/cm.db"])
        #expect(outcome.status == 1, "refused rows make exit 1")
        #expect(!outcome.stderr.contains("Fatal error"), "\(outcome.stderr)")
        for line in ["  created   good@web1.yaml  (row 1 (good@web1))",
                     "  refused   row 2 (\"\"@web1):", "jobs.name is a number (12345), not text",
                     "  refused   row 3 (word@web1):", "jobs.automatic_failure_threshold is text (abc), not a whole number of seconds",
                     "  refused   row 4 (blob@\"\"):", "jobs.host is a blob (2 bytes), not text",
                     "  created   texty@web1.yaml  (row 5 (texty@web1))", "jobs.labels is a number (7), not text: no labels imported; add them by hand",
                     "2 created, 0 unchanged, 0 conflicts, 3 refused",
                     "history: 2 results copied", "(1 with an unreadable status or time skipped)"] {
            #expect(outcome.stdout.contains(line), "\(line)\n\(outcome.stdout)")
        }
        #expect(try Self.query("\(tree.path)/cm.db", "SELECT status, COALESCE(duration, '-'), COALESCE(output, '-') FROM results ORDER BY received_at")
                == ["success|-|-", "failure|2.5|real"], "a duration or output of the wrong type is left out")
        #expect(try String(contentsOfFile: "\(tree.path)/jobs.d/texty@web1.yaml", encoding: .utf8).contains("automatic_failure_threshold: 120"))
    }

    @Test("a file that is not a cron-exporter database is refused, and nothing is written")
    func notTheOriginal() throws {
        let tree = try TempDir()
        try tree.write("other.sql", "CREATE TABLE jobs (id INTEGER PRIMARY KEY, title TEXT);")
        let made = TestProcess()
        made.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        made.arguments = ["sqlite3", "\(tree.path)/other.db", ".read \(tree.path)/other.sql"]
        try made.run()
        made.waitUntilExit()
        let outcome = try CLIRunner.run(["import", "cron-exporter", "--database", "\(tree.path)/other.db", "--jobs-dir", "\(tree.path)/jobs.d"])
        #expect(outcome.status == 1)
        #expect(outcome.stderr.contains("has no jobs.name column: not a cron-exporter database"))
        let missing = try CLIRunner.run(["import", "cron-exporter", "--database", "\(tree.path)/nope.db", "--jobs-dir", "\(tree.path)/jobs.d"])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("cannot read \(tree.path)/nope.db"))
        #expect(!FileManager.default.fileExists(atPath: "\(tree.path)/jobs.d"))
    }
}
