import Foundation
import GRDB

/// Every schema change, for both backends, in order. A migration is never
/// edited once released. A database whose schema is newer than this build
/// knows (a later cronmetrics migrated it) is refused, never written.
///
/// SQLite keeps GRDB's migration list (its applied names are in
/// `grdb_migrations`); PostgreSQL started at the schema SQLite reached with
/// v7 and numbers its own versions in `cronmetrics_schema`.
public enum SchemaMigrations {
    // MARK: SQLite

    /// Runs the SQLite migrations this build has not applied yet.
    /// - Throws: ``StoreError/newerSchema(_:)`` for a database with a
    ///   migration this build does not know.
    static func sqlite(_ writer: any DatabaseWriter) throws {
        let migrator = sqliteMigrator
        let known = Set(migrator.migrations)
        let applied = try writer.read { db in try migrator.appliedIdentifiers(db) }
        let unknown = applied.subtracting(known)
        guard unknown.isEmpty else {
            throw StoreError.newerSchema("the database has migration(s) \(unknown.sorted().joined(separator: ", ")) this cronmetrics does not know")
        }
        try migrator.migrate(writer)
    }

    static var sqliteMigrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: jobs and results") { db in
            try db.create(table: "jobs") { t in
                t.primaryKey("id", .text)
                t.column("job_name", .text).notNull()
                t.column("host", .text).notNull()
                t.column("path", .text).notNull()
                t.column("threshold_seconds", .integer).notNull()
                t.column("threshold_text", .text)
                t.column("status", .text).notNull()
                t.column("maintenance_until", .double)
                t.column("labels", .text).notNull()
                t.column("api_key_sha256", .text)
                t.column("description", .text)
                t.column("content_hash", .text).notNull()
                t.column("first_seen", .double).notNull()
                t.column("updated_at", .double).notNull()
            }
            try db.create(index: "jobs_api_key_sha256", on: "jobs", columns: ["api_key_sha256"])
            try db.create(table: "results") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("job_id", .text).notNull()
                t.column("received_at", .double).notNull()
                t.column("run_at", .double)
                t.column("status", .text).notNull()
                t.column("duration", .double)
                t.column("exit_code", .integer)
                t.column("output", .text)
                t.column("labels", .text)
            }
            try db.create(index: "results_job_received", on: "results", columns: ["job_id", "received_at"])
            try db.create(index: "results_received", on: "results", columns: ["received_at"])
        }
        migrator.registerMigration("v2: job state") { db in
            try db.create(table: "job_state") { t in
                t.primaryKey("job_id", .text)
                t.column("last_status", .text)
                t.column("last_received_at", .double)
                t.column("last_run_at", .double)
                t.column("last_duration", .double)
                t.column("last_exit_code", .integer)
                t.column("last_success_at", .double)
                t.column("last_failure_at", .double)
                t.column("runs_total", .integer).notNull().defaults(to: 0)
                t.column("failures_total", .integer).notNull().defaults(to: 0)
                t.column("missed_deadlines_total", .integer).notNull().defaults(to: 0)
                t.column("missed_anchor", .double)
                t.column("activated_at", .double)
            }
        }
        // A job removed from the tree and added again (a branch switch, a revert,
        // a reload in the middle of a checkout) keeps its first-seen time: it
        // lives beside the job's state, which outlives the job's row.
        migrator.registerMigration("v3: first_seen in job_state") { db in
            try db.alter(table: "job_state") { t in
                t.add(column: "first_seen", .double)
            }
            try db.execute(sql: """
                UPDATE job_state SET first_seen = (SELECT first_seen FROM jobs WHERE jobs.id = job_state.job_id);
                INSERT OR IGNORE INTO job_state (job_id, first_seen) SELECT id, first_seen FROM jobs;
                """)
        }
        migrator.registerMigration("v4: schedules and runs") { db in
            try db.alter(table: "jobs") { t in
                t.add(column: "schedule", .text)
                t.add(column: "timezone", .text)
                t.add(column: "grace", .text)
                t.add(column: "max_runtime", .text)
            }
            try db.alter(table: "job_state") { t in
                t.add(column: "last_start_at", .double)
                t.add(column: "last_timeout_at", .double)
            }
            // One row per start signal; finished (by a result, or timed out) or open.
            try db.create(table: "runs") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("job_id", .text).notNull()
                t.column("run_id", .text)
                t.column("started_at", .double).notNull()
                t.column("finished_at", .double)
                t.column("result_id", .integer)
                t.column("timed_out_at", .double)
            }
            try db.create(index: "runs_open", on: "runs", columns: ["job_id", "finished_at", "started_at"])
            try db.create(index: "runs_run_id", on: "runs", columns: ["job_id", "run_id"])
            try db.create(index: "runs_started", on: "runs", columns: ["started_at"])
        }
        migrator.registerMigration("v5: notifications") { db in
            try db.alter(table: "jobs") { t in
                t.add(column: "notify", .text)  // a JSON list of channel names; NULL: the default channels
            }
            try db.alter(table: "job_state") { t in
                // The last status in the notifications' sense (success, failure,
                // missed_deadline, timeout), since when, and when a down was last sent.
                t.add(column: "notify_status", .text)
                t.add(column: "notify_previous", .text)
                t.add(column: "notify_since", .double)
                t.add(column: "notified_at", .double)
            }
            // The outbox: one row per event and channel, written in the
            // transaction that changed the job's status.
            try db.create(table: "notifications") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("event_id", .text).notNull()
                t.column("channel", .text).notNull()
                t.column("job_id", .text).notNull()
                t.column("kind", .text).notNull()
                t.column("payload", .text).notNull()
                t.column("state", .text).notNull()
                t.column("attempts", .integer).notNull().defaults(to: 0)
                t.column("created_at", .double).notNull()
                // When it was last put in the queue (made, or requeued): the
                // retry window (max_age) and the delivery latency count from here.
                t.column("queued_at", .double).notNull()
                t.column("next_attempt_at", .double).notNull()
                t.column("delivered_at", .double)
                t.column("last_error", .text)
                t.column("last_status", .integer)
            }
            try db.create(index: "notifications_due", on: "notifications", columns: ["state", "next_attempt_at"])
            try db.create(index: "notifications_channel", on: "notifications", columns: ["channel", "state"])
            try db.create(index: "notifications_job", on: "notifications", columns: ["job_id", "id"])
            try db.execute(sql: """
                CREATE INDEX job_state_down ON job_state(notified_at)
                WHERE notify_status IN ('failure', 'missed_deadline', 'timeout')
                """)
        }
        // A client that sends one run's result twice (a retry after a lost
        // answer, two wrappers flushing one spool) must not store it twice:
        // closing results are unique per job and run id.
        migrator.registerMigration("v6: run ids on results") { db in
            try db.alter(table: "results") { t in
                t.add(column: "run_id", .text)
            }
            try db.execute(sql: """
                CREATE UNIQUE INDEX results_closing_run ON results(job_id, run_id)
                WHERE run_id IS NOT NULL AND status IN ('success', 'failure')
                """)
        }
        // A job's definition as the canonical JSON of its file's fields, in one
        // column read by the job-file decoder itself: a new field needs no
        // column and cannot be forgotten here (the columns of v1 and v4 are
        // folded into it).
        migrator.registerMigration("v7: job definitions as JSON") { db in
            try db.alter(table: "jobs") { t in
                t.add(column: "definition", .text)
            }
            for row in try Row.fetchAll(db, sql: "SELECT * FROM jobs") {
                try db.execute(sql: "UPDATE jobs SET definition = ? WHERE id = ?",
                               arguments: [LegacyJobRow.definition(row), row["id"] as String])
            }
            try db.execute(sql: "DROP INDEX IF EXISTS jobs_api_key_sha256")
            try db.alter(table: "jobs") { t in
                for column in ["job_name", "host", "threshold_seconds", "threshold_text", "status", "maintenance_until", "labels",
                               "api_key_sha256", "description", "schedule", "timezone", "grace", "max_runtime", "notify"] {
                    t.drop(column: column)
                }
            }
        }
        // Transitions as compare-and-set on a version every write of a job's
        // state bumps; each change of status is a flip row; outbox claims
        // carry a lease (who, until when) so a claimer that died leaves them
        // to others. Expand-only (new columns with defaults, new tables).
        migrator.registerMigration("v8: state versions, flips, claim leases") { db in
            try db.alter(table: "job_state") { t in
                t.add(column: "version", .integer).notNull().defaults(to: 0)
            }
            try db.create(table: "flips") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("job_id", .text).notNull()
                t.column("at", .double).notNull()
                t.column("from_status", .text)
                t.column("to_status", .text).notNull()
                t.column("reason", .text).notNull()
                t.column("run_id", .text)
            }
            try db.create(index: "flips_job_at", on: "flips", columns: ["job_id", "at"])
            try db.create(index: "flips_at", on: "flips", columns: ["at"])
            try db.alter(table: "notifications") { t in
                t.add(column: "claimed_by", .text)
                t.add(column: "claimed_until", .double)
            }
        }
        // History (SPEC §15): hourly and daily rollups per job, the life of a
        // job in its flips (and the state it was last flipped to), and the
        // run streak. Expand-only.
        migrator.registerMigration("v9: rollups, lifecycle flips, streaks") { db in
            try db.create(table: "rollups") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("job_id", .text).notNull()
                t.column("grain", .integer).notNull()
                t.column("start", .double).notNull()
                t.column("runs", .integer).notNull()
                t.column("successes", .integer).notNull()
                t.column("failures", .integer).notNull()
                t.column("missed", .integer).notNull()
                t.column("timeouts", .integer).notNull()
                t.column("duration_max", .double)
                t.column("sketch", .text)
            }
            try db.create(index: "rollups_job", on: "rollups", columns: ["job_id", "grain", "start"], unique: true)
            try db.create(index: "rollups_time", on: "rollups", columns: ["grain", "start"])
            try db.alter(table: "flips") { t in
                t.add(column: "until_at", .double)
            }
            try db.execute(sql: "CREATE INDEX flips_life ON flips(job_id, at) WHERE reason = 'lifecycle'")
            try db.alter(table: "job_state") { t in
                t.add(column: "lifecycle", .text)
                t.add(column: "lifecycle_until", .double)
                t.add(column: "streak", .integer).notNull().defaults(to: 0)
                t.add(column: "streak_since", .double)
                t.add(column: "timeouts_total", .integer).notNull().defaults(to: 0)
                t.add(column: "duration_histogram", .text)
                t.add(column: "duration_sum", .double)
            }
        }
        // Alert policy (SPEC §16): when an outage's first `down` went out, and
        // which escalation steps (and channels) it has reached. Expand-only.
        migrator.registerMigration("v10: escalations") { db in
            try db.alter(table: "job_state") { t in
                t.add(column: "down_sent_at", .double)
                t.add(column: "escalated", .integer).notNull().defaults(to: 0)
                t.add(column: "escalated_channels", .text)
            }
        }
        // The audit trail (SPEC §17): one row per job a write changed.
        migrator.registerMigration("v11: audit") { db in
            try db.create(table: "audit") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("at", .double).notNull()
                t.column("actor", .text).notNull()
                t.column("role", .text).notNull()
                t.column("route", .text).notNull()
                t.column("action", .text).notNull()
                t.column("job_id", .text)
                t.column("path", .text)
                t.column("hash_before", .text)
                t.column("hash_after", .text)
                t.column("request_id", .text)
                t.column("commit_sha", .text)
                t.column("detail", .text)
            }
            try db.create(index: "audit_job", on: "audit", columns: ["job_id", "id"])
            try db.create(index: "audit_actor", on: "audit", columns: ["actor", "id"])
            try db.create(index: "audit_at", on: "audit", columns: ["at"])
        }
        return migrator
    }

    // MARK: PostgreSQL

    /// Runs the PostgreSQL migrations this build has not applied yet, in one
    /// transaction under an advisory lock: replicas that start together
    /// migrate once, and a failed migration leaves nothing half done.
    /// - Throws: ``StoreError/newerSchema(_:)`` for a schema version this build does not know.
    static func postgres(_ driver: some SQLDriver) async throws(StoreError) {
        let known = postgres.map(\.version).max() ?? 0
        try await driver.write { db in
            try db.execute("SELECT pg_advisory_xact_lock(?)", [.integer(postgresLockKey)])
            try db.execute("""
                CREATE TABLE IF NOT EXISTS cronmetrics_schema (
                    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at DOUBLE PRECISION NOT NULL)
                """)
            let applied = try db.queryOne("SELECT MAX(version) AS version FROM cronmetrics_schema", table: "cronmetrics_schema")?
                .optionalInt("version") ?? 0
            if applied > known {
                // A newer replica migrated first: work on if all it added only expands.
                let breaking = try db.queryOne("""
                    SELECT COUNT(*) AS n FROM cronmetrics_schema WHERE version > ? AND NOT expand_only
                    """, [.integer(Int64(known))], table: "cronmetrics_schema")?.int("n") ?? 1
                guard breaking == 0 else {
                    throw StoreError.newerSchema("the database is at schema version \(applied); this cronmetrics knows up to \(known)")
                }
                return
            }
            for migration in postgres where migration.version > applied {
                for statement in migration.statements {
                    try db.execute(statement)
                }
                try db.execute("INSERT INTO cronmetrics_schema (version, name, applied_at) VALUES (?, ?, ?)",
                               [.integer(Int64(migration.version)), .text(migration.name), Date().sqlValue])
                if postgresExpandOnly.contains(migration.version) {
                    try db.execute("UPDATE cronmetrics_schema SET expand_only = true WHERE version = ?", [.integer(Int64(migration.version))])
                }
            }
        }
    }

    /// The advisory lock migrations hold (any number: it names cronmetrics' migrations in this database).
    static let postgresLockKey: Int64 = 0x63726F6E_6D657472  // "cronmetr"

    /// PostgreSQL's migrations: each version's statements, run in one
    /// transaction under an advisory lock (replicas that start together
    /// migrate once).
    static let postgres: [(version: Int, name: String, statements: [String])] = [
        (1, "the schema of SQLite v7", [
            """
            CREATE TABLE jobs (
                id TEXT PRIMARY KEY, path TEXT NOT NULL, definition TEXT NOT NULL, content_hash TEXT NOT NULL,
                first_seen DOUBLE PRECISION NOT NULL, updated_at DOUBLE PRECISION NOT NULL)
            """,
            """
            CREATE TABLE results (
                id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, job_id TEXT NOT NULL, received_at DOUBLE PRECISION NOT NULL,
                run_at DOUBLE PRECISION, status TEXT NOT NULL, duration DOUBLE PRECISION, exit_code BIGINT, output TEXT, labels TEXT,
                run_id TEXT)
            """,
            "CREATE INDEX results_job_received ON results (job_id, received_at)",
            "CREATE INDEX results_received ON results (received_at)",
            """
            CREATE UNIQUE INDEX results_closing_run ON results (job_id, run_id)
            WHERE run_id IS NOT NULL AND status IN ('success', 'failure')
            """,
            """
            CREATE TABLE job_state (
                job_id TEXT PRIMARY KEY, last_status TEXT, last_received_at DOUBLE PRECISION, last_run_at DOUBLE PRECISION,
                last_duration DOUBLE PRECISION, last_exit_code BIGINT, last_success_at DOUBLE PRECISION,
                last_failure_at DOUBLE PRECISION, runs_total BIGINT NOT NULL DEFAULT 0, failures_total BIGINT NOT NULL DEFAULT 0,
                missed_deadlines_total BIGINT NOT NULL DEFAULT 0, missed_anchor DOUBLE PRECISION, activated_at DOUBLE PRECISION,
                first_seen DOUBLE PRECISION, last_start_at DOUBLE PRECISION, last_timeout_at DOUBLE PRECISION,
                notify_status TEXT, notify_previous TEXT, notify_since DOUBLE PRECISION, notified_at DOUBLE PRECISION)
            """,
            """
            CREATE TABLE runs (
                id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, job_id TEXT NOT NULL, run_id TEXT,
                started_at DOUBLE PRECISION NOT NULL, finished_at DOUBLE PRECISION, result_id BIGINT, timed_out_at DOUBLE PRECISION)
            """,
            "CREATE INDEX runs_open ON runs (job_id, finished_at, started_at)",
            "CREATE INDEX runs_run_id ON runs (job_id, run_id)",
            "CREATE INDEX runs_started ON runs (started_at)",
            """
            CREATE TABLE notifications (
                id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, event_id TEXT NOT NULL, channel TEXT NOT NULL,
                job_id TEXT NOT NULL, kind TEXT NOT NULL, payload TEXT NOT NULL, state TEXT NOT NULL,
                attempts BIGINT NOT NULL DEFAULT 0, created_at DOUBLE PRECISION NOT NULL, queued_at DOUBLE PRECISION NOT NULL,
                next_attempt_at DOUBLE PRECISION NOT NULL, delivered_at DOUBLE PRECISION, last_error TEXT, last_status BIGINT)
            """,
            "CREATE INDEX notifications_due ON notifications (state, next_attempt_at)",
            "CREATE INDEX notifications_channel ON notifications (channel, state)",
            "CREATE INDEX notifications_job ON notifications (job_id, id)",
            "CREATE INDEX job_state_down ON job_state (notified_at) WHERE notify_status IN ('failure', 'missed_deadline', 'timeout')",
        ]),
        (2, "state versions, flips, claim leases, replicas, the dashboard's shared state", [
            "ALTER TABLE cronmetrics_schema ADD COLUMN expand_only BOOLEAN NOT NULL DEFAULT false",
            "ALTER TABLE job_state ADD COLUMN version BIGINT NOT NULL DEFAULT 0",
            """
            CREATE TABLE flips (
                id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, job_id TEXT NOT NULL, at DOUBLE PRECISION NOT NULL,
                from_status TEXT, to_status TEXT NOT NULL, reason TEXT NOT NULL, run_id TEXT)
            """,
            "CREATE INDEX flips_job_at ON flips (job_id, at)",
            "CREATE INDEX flips_at ON flips (at)",
            "ALTER TABLE notifications ADD COLUMN claimed_by TEXT",
            "ALTER TABLE notifications ADD COLUMN claimed_until DOUBLE PRECISION",
            """
            CREATE TABLE replicas (
                name TEXT PRIMARY KEY, version TEXT NOT NULL, tree_digest TEXT, started_at DOUBLE PRECISION NOT NULL,
                heartbeat_at DOUBLE PRECISION NOT NULL, backend_pid INTEGER)
            """,
            // The dashboard across replicas: one signing key, sign-outs and sign-in limits seen by all.
            "CREATE TABLE shared_secrets (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
            "CREATE TABLE session_revocations (nonce TEXT PRIMARY KEY, expires_at DOUBLE PRECISION NOT NULL)",
            "CREATE TABLE signin_attempts (address TEXT PRIMARY KEY, attempts BIGINT NOT NULL, since DOUBLE PRECISION NOT NULL)",
        ]),
        (3, "rollups, lifecycle flips, streaks", [
            """
            CREATE TABLE rollups (
                id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, job_id TEXT NOT NULL, grain BIGINT NOT NULL,
                start DOUBLE PRECISION NOT NULL, runs BIGINT NOT NULL, successes BIGINT NOT NULL, failures BIGINT NOT NULL,
                missed BIGINT NOT NULL, timeouts BIGINT NOT NULL, duration_max DOUBLE PRECISION, sketch TEXT)
            """,
            "CREATE UNIQUE INDEX rollups_job ON rollups (job_id, grain, start)",
            "CREATE INDEX rollups_time ON rollups (grain, start)",
            "ALTER TABLE flips ADD COLUMN until_at DOUBLE PRECISION",
            "CREATE INDEX flips_life ON flips (job_id, at) WHERE reason = 'lifecycle'",
            "ALTER TABLE job_state ADD COLUMN lifecycle TEXT",
            "ALTER TABLE job_state ADD COLUMN lifecycle_until DOUBLE PRECISION",
            "ALTER TABLE job_state ADD COLUMN streak BIGINT NOT NULL DEFAULT 0",
            "ALTER TABLE job_state ADD COLUMN streak_since DOUBLE PRECISION",
            "ALTER TABLE job_state ADD COLUMN timeouts_total BIGINT NOT NULL DEFAULT 0",
            "ALTER TABLE job_state ADD COLUMN duration_histogram TEXT",
            "ALTER TABLE job_state ADD COLUMN duration_sum DOUBLE PRECISION",
            // Two duration sketches (JSON objects from bucket to count) added
            // bucket by bucket; SQLite has the same function, in Swift (DurationSketch.merged).
            """
            CREATE OR REPLACE FUNCTION cronmetrics_sketch_merge(a TEXT, b TEXT) RETURNS TEXT LANGUAGE sql IMMUTABLE AS $$
                SELECT CASE WHEN a IS NULL THEN b WHEN b IS NULL THEN a ELSE (
                    SELECT jsonb_object_agg(k, n)::text FROM (
                        SELECT k, SUM(v::bigint) AS n FROM (
                            SELECT key, value FROM jsonb_each_text(a::jsonb)
                            UNION ALL SELECT key, value FROM jsonb_each_text(b::jsonb)) AS e(k, v)
                        GROUP BY k) AS s) END
            $$
            """,
        ]),
        (4, "escalations", [
            "ALTER TABLE job_state ADD COLUMN down_sent_at DOUBLE PRECISION",
            "ALTER TABLE job_state ADD COLUMN escalated BIGINT NOT NULL DEFAULT 0",
            "ALTER TABLE job_state ADD COLUMN escalated_channels TEXT",
        ]),
        (5, "audit", [
            """
            CREATE TABLE audit (
                id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, at DOUBLE PRECISION NOT NULL, actor TEXT NOT NULL,
                role TEXT NOT NULL, route TEXT NOT NULL, action TEXT NOT NULL, job_id TEXT, path TEXT, hash_before TEXT,
                hash_after TEXT, request_id TEXT, commit_sha TEXT, detail TEXT)
            """,
            "CREATE INDEX audit_job ON audit (job_id, id)",
            "CREATE INDEX audit_actor ON audit (actor, id)",
            "CREATE INDEX audit_at ON audit (at)",
        ]),
    ]

    /// Versions whose statements only add (columns with defaults, tables,
    /// indexes): a replica that knows an older version keeps working on
    /// them, so replicas upgrade one at a time. Recorded as `expand_only`.
    static let postgresExpandOnly: Set<Int> = [2, 3, 4, 5]
}
