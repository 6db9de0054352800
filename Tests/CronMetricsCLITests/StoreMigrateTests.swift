import CronMetricsCore
import CronMetricsTestSupport
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite("store migrate: a SQLite site moved into PostgreSQL")
struct StoreMigrateTests {
    /// Every row of every table, by table, each row as column → value, in key order.
    static func dump(_ store: StateStore) async throws -> [String: [[String: SQLValue]]] {
        var tables: [String: [[String: SQLValue]]] = [:]
        // The replicas' coordination tables are PostgreSQL's own (the servers sharing it now), not the site's data.
        for table in try await store.driver.tableNames() where !StateStore.coordinationTables.contains(table) {
            let key = table == "job_state" ? "job_id" : "id"
            tables[table] = try await store.driver.read { db in
                try db.query("SELECT * FROM \(table) ORDER BY \(key)", table: table).map { row in
                    Dictionary(uniqueKeysWithValues: row.columnNames.map { ($0, row[$0]) })
                }
            }
        }
        return tables
    }

    /// A SQLite site as a server leaves it: a job, `count` results and the
    /// state they made, a closed and an open run, an outbox row, an audit row.
    static func site(_ path: String, results count: Int) async throws -> StateStore {
        let store = try await StateStore.open(.sqlite(path: path), logger: StoreBackend.quietLogger)
        let id = JobID(jobName: "backup", host: "db1")
        let base = Date(timeIntervalSince1970: 1_790_000_000)
        let results = (0..<count).map { (n: Int) -> JobResult in
            let failed = n % 7 == 0
            return JobResult(jobID: id, receivedAt: base.addingTimeInterval(Double(n)), status: failed ? .failure : .success,
                             duration: 1.5, exitCode: failed ? 2 : 0, output: "line \(n)\nwith \"quotes\" and ünïcode")
        }
        _ = try await store.insert(results)
        let job = Job(jobName: "backup", host: "db1", threshold: JobDuration(seconds: 3600), labels: ["team": "dba"])
        try await store.driver.write { db in
            try db.execute("""
                INSERT INTO jobs (id, path, definition, content_hash, first_seen, updated_at) VALUES (?, ?, ?, ?, ?, ?)
                """, [.text(id.description), .text("backup@db1.yaml"), .text(job.definitionJSON), .text("abc123"),
                      .real(1_789_000_000.25), .real(1_789_000_100.5)])
            try db.execute("UPDATE job_state SET notify_status = 'success', notified_at = 1790002499.75 WHERE job_id = ?",
                           [.text(id.description)])
            try db.execute("INSERT INTO runs (job_id, run_id, started_at, finished_at, result_id) VALUES (?, 'r1', 1790000000, 1790000001.5, 1)",
                           [.text(id.description)])
            try db.execute("INSERT INTO runs (job_id, run_id, started_at) VALUES (?, 'r2', 1790002500)", [.text(id.description)])
            try db.execute("""
                INSERT INTO notifications (event_id, channel, job_id, kind, payload, state, attempts, created_at, queued_at, next_attempt_at)
                VALUES ('ev-1', 'ops', ?, 'down', '{"job":"backup@db1"}', 'pending', 1, 1790000000, 1790000000, 1790000060)
                """, [.text(id.description)])
            try db.execute("""
                INSERT INTO audit (at, actor, role, route, action, job_id, path, hash_after, request_id, commit_sha)
                VALUES (1789000100.5, 'git', 'git', 'start', 'added', ?, 'backup@db1.yaml', 'abc123', NULL, 'f00d')
                """, [.text(id.description)])
        }
        return store
    }

    func migrate(_ source: String, _ target: StorageLocation) throws -> CLIRunner.Outcome {
        guard case let .postgres(settings) = target else { throw StoreBackendError("a PostgreSQL target") }
        return try CLIRunner.run(["store", "migrate", "--from", source, "--to", settings.location], environment: target.cliEnvironment)
    }

    @Test("every row arrives as it was, counts are printed, a second run writes nothing, a run after changes brings them, new ids follow the copied ones")
    func copiesEverything() async throws {
        let dir = try TempDir()
        let source = "\(dir.path)/cronmetrics.db"
        let site = try await Self.site(source, results: 2500)
        let target = try await StoreBackend.postgres.location(in: dir.path)

        let first = try migrate(source, target)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.hasPrefix("Copying a snapshot of \(source) taken at "), "\(first.stdout)")
        #expect(first.stdout.contains("  results: 2500 read, 2500 written (new or changed); the target has 2500\n"), "\(first.stdout)")
        #expect(first.stdout.contains("  jobs: 1 read, 1 written (new or changed); the target has 1\n"))
        #expect(first.stdout.contains("  job_state: 1 read, 1 written (new or changed); the target has 1\n"))
        #expect(first.stdout.contains("  runs: 2 read, 2 written (new or changed); the target has 2\n"))
        #expect(first.stdout.contains("  notifications: 1 read, 1 written (new or changed); the target has 1\n"))
        // Every change of status the site's results made (every 7th failed) is a flip.
        #expect(first.stdout.contains("  flips: 715 read, 715 written (new or changed); the target has 715\n"))
        // All of them in one hour of one day: an hourly and a daily rollup.
        #expect(first.stdout.contains("  rollups: 2 read, 2 written (new or changed); the target has 2\n"))
        #expect(first.stdout.contains("  audit: 1 read, 1 written (new or changed); the target has 1\n"), "the audit trail goes along")
        #expect(first.stdout.contains("Done: 3223 rows written."))
        let copied = try await StateStore.open(target, logger: StoreBackend.quietLogger)
        let expected = try await Self.dump(site)
        #expect(expected["results"]?.count == 2500)
        #expect(try await Self.dump(copied) == expected, "every column of every row, as SQLite had it")

        // Again: nothing to write, the same content.
        let second = try migrate(source, target)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stdout.contains("  results: 2500 read, 0 written (new or changed); the target has 2500\n"))
        #expect(second.stdout.contains("Done: 0 rows written."))
        #expect(try await Self.dump(copied) == expected)

        // The site went on (the server ran until it was stopped): one more run brings exactly that.
        try await site.driver.write { db in
            try db.execute("UPDATE runs SET finished_at = 1790002501 WHERE run_id = 'r2'")
            try db.execute("UPDATE notifications SET state = 'delivered', attempts = 2, delivered_at = 1790000061")
        }
        _ = try await site.insert([JobResult(jobID: JobID(jobName: "backup", host: "db1"), receivedAt: Date(timeIntervalSince1970: 1_790_002_501),
                                             status: .failure, exitCode: 1)])
        let after = try migrate(source, target)
        #expect(after.status == 0, "\(after.stderr)")
        #expect(after.stdout.contains("  results: 2501 read, 1 written (new or changed); the target has 2501\n"), "\(after.stdout)")
        #expect(after.stdout.contains("  job_state: 1 read, 1 written"))
        #expect(after.stdout.contains("  runs: 2 read, 1 written"))
        #expect(after.stdout.contains("  notifications: 1 read, 1 written"))
        #expect(after.stdout.contains("  rollups: 2 read, 2 written"), "the new result counted in both")
        #expect(try await Self.dump(copied) == (try await Self.dump(site)))

        // The server on PostgreSQL goes on from there: new rows take new ids.
        let more = try await copied.insert([JobResult(jobID: JobID(jobName: "backup", host: "db1"), receivedAt: Date(), status: .success)])
        #expect(more.first?.id == 2502)
        // From now on the target is the server's: another copy is refused, nothing overwritten.
        let late = try migrate(source, target)
        #expect(late.status == 1)
        // Its success after the site's last failure flipped the job: flips are checked first (by name).
        #expect(late.stderr.contains("the target's flips has ids up to 717, past this file's 716: a server has written to it"), "\(late.stderr)")
        #expect(try await Self.dump(copied)["results"]?.count == 2502)
        try await copied.close()
        try await site.close()
    }

    @Test("kill -9 half-way through, run again: the end state is a clean run's")
    func resumesAfterKill() async throws {
        let dir = try TempDir()
        let source = "\(dir.path)/cronmetrics.db"
        // Enough rows that the copy is still running when a loaded machine's poll first sees some.
        let total = 60_000
        let site = try await Self.site(source, results: total)
        let target = try await StoreBackend.postgres.location(in: dir.path)
        guard case let .postgres(settings) = target else { throw StoreBackendError("a PostgreSQL target") }
        let watcher = try await StateStore.open(target, logger: StoreBackend.quietLogger)
        func copiedResults() async throws -> Int64 {
            try await watcher.driver.read { db in try db.queryOne("SELECT COUNT(*) AS n FROM results")?.int("n") ?? 0 }
        }
        let process = TestProcess()
        process.executableURL = URL(fileURLWithPath: CLIRunner.binary)
        process.arguments = ["store", "migrate", "--from", source, "--to", settings.location]
        process.environment = ProcessInfo.processInfo.environment.merging(target.cliEnvironment) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        var partial: Int64 = 0
        for _ in 0..<3000 where partial == 0 {
            partial = try await copiedResults()
            if partial == 0 { try await Task.sleep(for: .milliseconds(5)) }
        }
        kill(process.processIdentifier, SIGKILL)
        while process.isRunning { try await Task.sleep(for: .milliseconds(10)) }
        #expect(process.terminationReason == .uncaughtSignal)
        let left = try await copiedResults()
        #expect(partial > 0 && left < Int64(total), "killed half-way: \(left) of \(total) results copied")

        let resumed = try migrate(source, target)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stdout.contains("  results: \(total) read, \(Int64(total) - left) written (new or changed); the target has \(total)\n"),
                "\(resumed.stdout)")
        #expect(try await Self.dump(watcher) == (try await Self.dump(site)), "as one clean run leaves it")
        let again = try migrate(source, target)
        #expect(again.stdout.contains("Done: 0 rows written."), "\(again.stdout)")
        try await watcher.close()
        try await site.close()
    }

    @Test("a target that is not PostgreSQL, or a source that does not exist, is refused and nothing is created")
    func refusals() async throws {
        let dir = try TempDir()
        let noTarget = try CLIRunner.run(["store", "migrate", "--from", "\(dir.path)/a.db"], in: dir.path)
        #expect(noTarget.status == 2)
        #expect(noTarget.stderr.contains("--to (or storage.url) must name the PostgreSQL store to copy into"), "\(noTarget.stderr)")
        let target = try await StoreBackend.postgres.location(in: dir.path)
        let missing = try migrate("\(dir.path)/missing.db", target)
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("no database at \(dir.path)/missing.db"))
        #expect(!FileManager.default.fileExists(atPath: "\(dir.path)/missing.db"))
        let withPassword = try CLIRunner.run(["store", "migrate", "--from", "\(dir.path)/a.db", "--to", "postgres://u:secret@127.0.0.1/db"],
                                             in: dir.path)
        #expect(withPassword.status == 1)
        #expect(withPassword.stderr.contains("storage.password_file"), "\(withPassword.stderr)")
        #expect(!withPassword.stderr.contains("secret"), "the password is never echoed")

        // A file from elsewhere whose column name would smuggle SQL into the target's statements.
        let hostile = "\(dir.path)/hostile.db"
        let site = try await Self.site(hostile, results: 3)
        try await site.driver.write { db in
            try db.execute(#"ALTER TABLE results ADD COLUMN "x) VALUES (1); DROP TABLE jobs; --" TEXT"#)
        }
        try await site.close()
        let refused = try migrate(hostile, target)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("which no cronmetrics schema has"), "\(refused.stderr)")
        let untouched = try await StateStore.open(target, logger: StoreBackend.quietLogger)
        let tables = try await Self.dump(untouched)
        #expect(tables.keys.sorted() == ["audit", "flips", "job_state", "jobs", "notifications", "results", "rollups", "runs"])
        #expect(tables.values.allSatisfy { $0.isEmpty }, "every table checked before anything is written")
        try await untouched.close()
    }
}
