import GRDB

extension AppDatabase {
    /// Every schema change, in order. A migration is never edited once released.
    static var migrator: DatabaseMigrator {
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
        return migrator
    }
}
