import CronMetricsTestSupport
import Foundation
import GRDB
import Synchronization
import Testing
@testable import CronMetricsCore

@Suite("The store on both backends: durability, schema versions, corrupt rows")
struct StateStoreTests {
    @Test("the SQLite writer commits with synchronous = FULL in WAL mode")
    func durableSQLiteWriter() async throws {
        let dir = try TempDir()
        let driver = try SQLiteDriver(path: "\(dir.path)/cronmetrics.db")
        // 2 is FULL; GRDB's pool sets the writer to NORMAL (1) unless we set it after.
        #expect(try driver.writerPragma("synchronous") == "2")
        #expect(try driver.writerPragma("journal_mode") == "wal")
        try await driver.close()
    }

    @Test("PostgreSQL connections commit with synchronous_commit on, under the statement timeout")
    func durablePostgresSessions() async throws {
        let dir = try TempDir()
        try await StateStore.with(.postgres, in: dir.path) { store in
            let settings = try await store.driver.read { db in
                (try db.queryOne("SHOW synchronous_commit")?.string("synchronous_commit"),
                 try db.queryOne("SHOW statement_timeout")?.string("statement_timeout"))
            }
            #expect(settings.0 == "on")
            #expect(settings.1 == "30s")
        }
    }

    @Test("a schema newer than this build is refused, and nothing is written to it", arguments: StoreBackend.allCases)
    func newerSchemaRefused(_ backend: StoreBackend) async throws {
        let dir = try TempDir()
        let location = try await backend.location(in: dir.path)
        let store = try await StateStore.open(location, logger: StoreBackend.quietLogger)
        try await store.driver.write { db in
            switch db.dialect {
            case .sqlite: try db.execute("INSERT INTO grdb_migrations (identifier) VALUES ('v99: from the future')")
            case .postgres: try db.execute("INSERT INTO cronmetrics_schema (version, name, applied_at) VALUES (99, 'from the future', 0)")
            }
        }
        try await store.close()
        await #expect {
            _ = try await StateStore.open(location, logger: StoreBackend.quietLogger)
        } throws: { error in
            guard case let .newerSchema(reason) = error as? StoreError else { return false }
            return reason.contains(backend == .sqlite ? "v99: from the future" : "version 99")
        }
    }

    @Test("PostgreSQL: a newer version that only expands the schema is worked on (rolling upgrades); one that does not is refused")
    func newerExpandOnlySchema() async throws {
        let dir = try TempDir()
        let location = try await StoreBackend.postgres.location(in: dir.path)
        let store = try await StateStore.open(location, logger: StoreBackend.quietLogger)
        try await store.driver.write { db in
            try db.execute("INSERT INTO cronmetrics_schema (version, name, applied_at, expand_only) VALUES (98, 'a new column', 0, true)")
        }
        try await store.close()
        let again = try await StateStore.open(location, logger: StoreBackend.quietLogger)
        try await again.driver.write { db in
            try db.execute("INSERT INTO cronmetrics_schema (version, name, applied_at, expand_only) VALUES (99, 'a dropped column', 0, false)")
        }
        try await again.close()
        await #expect {
            _ = try await StateStore.open(location, logger: StoreBackend.quietLogger)
        } throws: { error in
            guard case let .newerSchema(reason) = error as? StoreError else { return false }
            return reason.contains("version 99")
        }
    }

    @Test("PostgreSQL runs a statement with rows as a prepared statement, parsed once per connection, its binds typed in its text")
    func preparedStatements() async throws {
        let dir = try TempDir()
        let store = try await StoreBackend.postgres.open(in: dir.path)
        let (first, second, prepared) = try await store.driver.read { db in
            let sql = "SELECT CAST(? AS TEXT) AS a, ? AS b, ? AS c"
            let first = try db.query(sql, [.text("x"), .integer(7), SQLValue(Double?.none)]).first
            let second = try db.query(sql, [.text("y"), .integer(8), SQLValue(Double?(2.5))]).first
            let prepared = try db.query("SELECT statement FROM pg_prepared_statements WHERE statement LIKE '%AS c' ORDER BY statement")
            return (first, second, try prepared.map { try $0.string("statement") })
        }
        #expect(try first?.string("a") == "x" && first?.int("b") == 7 && first?.optionalDouble("c") == nil)
        #expect(try second?.string("a") == "y" && second?.int("b") == 8 && second?.double("c") == 2.5)
        // One statement for both runs: a nil optional binds with its type, as a value does.
        #expect(prepared == ["SELECT CAST($1::text AS TEXT) AS a, $2::int8 AS b, $3::float8 AS c"])

        // Two rounds of results whose statuses come in other orders share one prepared round statement.
        let rules = SignalRules(outbox: Outbox(settings: nil, now: Date(), corruptRows: store.corruptRows))
        let rounds = try await store.driver.write { db in
            for statuses in [[RunStatus.success, .failure], [.failure, .success]] {
                _ = try rules.store(statuses.enumerated().map { index, status in
                    .result(JobResult(jobID: JobID(jobName: "j\(index)\(status)", host: "h"), receivedAt: Date(), status: status))
                }, db: db)
            }
            return try db.query("SELECT statement FROM pg_prepared_statements WHERE statement LIKE 'WITH s0 AS (INSERT INTO results%'").count
        }
        #expect(rounds == 1)

        // A connection prepares 256 texts at most; past that they run unnamed, still answered.
        let (answers, count) = try await store.driver.read { db in
            let answers = try (0..<300).map { index in
                try db.queryOne("SELECT ? + \(index) AS n", [.integer(1)])?.int("n")
            }
            return (answers, try db.queryOne("SELECT COUNT(*) AS n FROM pg_prepared_statements")?.int("n"))
        }
        #expect(answers == (0..<300).map { Int64($0 + 1) })
        #expect(count == Int64(PreparedStatements.perConnection))
        try await store.close()
    }

    @Test("a statement sent without waiting that fails fails its transaction: its error is the one thrown, nothing commits",
          arguments: StoreBackend.allCases)
    func sentStatementFails(_ backend: StoreBackend) async throws {
        let dir = try TempDir()
        let store = try await backend.open(in: dir.path)
        try await store.driver.write { db in try db.execute("CREATE TABLE probe (v INTEGER NOT NULL)") }
        for waitAfter in [false, true] {
            await #expect {
                try await store.driver.write { db in
                    try db.execute("INSERT INTO probe (v) VALUES (1)")
                    try db.send("INSERT INTO probe (v) VALUES (NULL)", [])
                    if waitAfter { _ = try db.queryOne("SELECT COUNT(*) AS n FROM probe") }
                }
            } throws: { error in
                // The refused statement's own error, not "the transaction is aborted".
                String(describing: error).lowercased().contains("null")
            }
        }
        try await store.driver.write { db in try db.send("INSERT INTO probe (v) VALUES (2)", []) }
        let values = try await store.driver.read { db in try db.query("SELECT v FROM probe").map { try $0.int("v") } }
        #expect(values == [2])
        try await store.close()
    }

    @Test("opening twice migrates once: the second open applies nothing", arguments: StoreBackend.allCases)
    func migrationsIdempotent(_ backend: StoreBackend) async throws {
        let dir = try TempDir()
        let location = try await backend.location(in: dir.path)
        for _ in 0..<2 {
            let store = try await StateStore.open(location, logger: StoreBackend.quietLogger)
            try await store.close()
        }
        let store = try await StateStore.open(location, logger: StoreBackend.quietLogger)
        let applied = try await store.driver.read { db in
            switch db.dialect {
            case .sqlite: Int(try db.queryOne("SELECT COUNT(*) AS n FROM grdb_migrations")?.int("n") ?? 0)
            case .postgres: Int(try db.queryOne("SELECT COUNT(*) AS n FROM cronmetrics_schema")?.int("n") ?? 0)
            }
        }
        #expect(applied == (backend == .sqlite ? SchemaMigrations.sqliteMigrator.migrations.count : SchemaMigrations.postgres.count))
        // PostgreSQL adds the replicas' coordination tables (StateStore.coordinationTables).
        #expect(try await store.driver.tableNames().filter { !StateStore.coordinationTables.contains($0) }
            == ["audit", "flips", "job_state", "jobs", "notifications", "results", "rollups", "runs"])
        #expect(try await store.driver.tableNames().filter { StateStore.coordinationTables.contains($0) }
            == (backend == .postgres ? ["replicas", "session_revocations", "shared_secrets", "signin_attempts"] : []))
        try await store.close()
    }

    @Test("a corrupt row is reported and left out, never read as a default", arguments: StoreBackend.allCases)
    func corruptRows(_ backend: StoreBackend) async throws {
        let dir = try TempDir()
        try await StateStore.with(backend, in: dir.path) { store in
            let id = JobID(jobName: "a", host: "h")
            let reported = ReportLog()
            store.corruptRows.onReport { reported.append($0.description) }
            _ = try await store.insert([JobResult(jobID: id, receivedAt: Date(timeIntervalSince1970: 1), status: .success),
                                        JobResult(jobID: id, receivedAt: Date(timeIntervalSince1970: 2), status: .failure)])
            try await store.driver.write { db in
                try db.execute("UPDATE results SET status = 'sideways' WHERE received_at = 2")
                try db.execute("INSERT INTO job_state (job_id, last_status) VALUES ('b@h', 'sideways')")
                try db.execute("INSERT INTO job_state (job_id, last_status) VALUES ('c@h', 'success')")
            }
            let results = try await store.fetchResults(for: id, limit: 10)
            #expect(results.map(\.status) == [.success], "the row with an unknown status is left out, not read as a failure")
            let states = try await store.fetchStates()
            #expect(states.keys.map(\.description).sorted() == ["a@h", "c@h"], "b@h is left out")
            #expect(store.corruptRows.total == 2)
            #expect(reported.lines == [
                "corrupt row in results.status: unknown status sideways",
                "corrupt row in job_state.last_status: unknown status sideways",
            ])
        }
    }

    @Test("a job definition the decoder refuses is a corrupt row: reported, left out", arguments: StoreBackend.allCases)
    func corruptDefinition(_ backend: StoreBackend) async throws {
        let dir = try TempDir()
        try await StateStore.with(backend, in: dir.path) { store in
            try await store.driver.write { db in
                try db.execute("""
                    INSERT INTO jobs (id, path, definition, content_hash, first_seen, updated_at)
                    VALUES ('a@h', 'a@h.yaml', '{"version":1,"job_name":"a","host":"h","status":"asleep","automatic_failure_threshold":60}', 'x', 0, 0)
                    """)
            }
            let reported = ReportLog()
            store.corruptRows.onReport { reported.append($0.description) }
            #expect(try await store.fetchJobs().isEmpty)
            #expect(reported.lines.count == 1)
            #expect(reported.lines.first?.hasPrefix("corrupt row in jobs.definition: job a@h: ") == true)
            #expect(reported.lines.first?.contains("status") == true)
        }
    }
}

/// Lines a handler collected.
final class ReportLog: Sendable {
    private let storage = Mutex<[String]>([])

    func append(_ line: String) {
        storage.withLock { $0.append(line) }
    }

    var lines: [String] { storage.withLock { $0 } }
}
