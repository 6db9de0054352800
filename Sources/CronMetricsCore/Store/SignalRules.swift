import Foundation

/// How one signal (a start, a result) changes the tables, inside the
/// transaction of its batch. Counters are incremented in SQL, so the
/// deadline bookkeeping written beside them (other columns of the same row)
/// is never overwritten.
struct SignalRules {
    let outbox: Outbox

    func start(_ jobID: JobID, runID: String?, at: Date, db: any SQLConnection) throws -> OpenRun {
        let id = try db.queryOne("INSERT INTO runs (job_id, run_id, started_at) VALUES (?, ?, ?) RETURNING id",
                                 [.text(jobID.description), SQLValue(runID), at.sqlValue], table: "runs")?.int("id") ?? 0
        try db.execute("""
            INSERT INTO job_state (job_id, last_start_at) VALUES (?, ?)
            ON CONFLICT(job_id) DO UPDATE SET last_start_at = \(db.dialect.greatest("COALESCE(job_state.last_start_at, 0)", "excluded.last_start_at"))
            """, [.text(jobID.description), at.sqlValue])
        return OpenRun(id: id, runID: runID, startedAt: at)
    }

    func result(_ submitted: JobResult, db: any SQLConnection) throws -> JobResult {
        let job = SQLValue.text(submitted.jobID.description)
        // A run's closing result arrives once: a repeat gets the first one back.
        if submitted.isClosing, let runID = submitted.runID,
           let row = try db.queryOne("""
               SELECT \(ResultRow.columns) FROM results WHERE job_id = ? AND run_id = ? AND status IN ('success', 'failure') LIMIT 1
               """, [job, .text(runID)], table: "results") {
            var first = try ResultRow.result(row)
            first.isRepeat = true
            return first
        }
        var result = submitted
        var run: (id: Int64, startedAt: Date)?
        if result.status != .log, result.runID != nil || result.openRunExpected {
            let row = try result.runID.map {
                try db.queryOne("""
                    SELECT id, started_at FROM runs WHERE job_id = ? AND run_id = ? AND result_id IS NULL ORDER BY started_at LIMIT 1
                    """, [job, .text($0)], table: "runs")
            } ?? db.queryOne("""
                SELECT id, started_at FROM runs WHERE job_id = ? AND finished_at IS NULL ORDER BY started_at LIMIT 1
                """, [job], table: "runs")
            if let row { run = (try row.int("id"), try row.date("started_at")) }
        }
        if let run, result.duration == nil {
            result.duration = max(0, result.receivedAt.timeIntervalSince(run.startedAt))
        }
        let insert = (sql: """
            INSERT INTO results (job_id, received_at, run_at, status, duration, exit_code, output, labels, run_id)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id
            """, arguments: [job, result.receivedAt.sqlValue, result.runAt.sqlValue, .text(result.status.rawValue), SQLValue(result.duration),
                             SQLValue(result.exitCode), SQLValue(result.output), SQLValue(try result.labels.map { try StateStore.json($0) }),
                             SQLValue(result.runID)])
        guard result.status != .log else {
            result.id = try db.queryOne(insert.sql, insert.arguments, table: "results")?.int("id")
            try close(run, by: &result, db: db)
            return result
        }
        let time = result.runAt.sqlValue
        // RETURNING gives the stored notify_status (the upsert leaves it alone):
        // the previous status at no extra query. With the result's row, in one
        // round trip on PostgreSQL.
        let fold = (sql: """
            INSERT INTO job_state (job_id, last_status, last_received_at, last_run_at, last_duration,
                                   last_exit_code, last_success_at, last_failure_at, runs_total, failures_total)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?)
            ON CONFLICT(job_id) DO UPDATE SET
                last_status = excluded.last_status, last_received_at = excluded.last_received_at,
                last_run_at = excluded.last_run_at, last_duration = excluded.last_duration,
                last_exit_code = excluded.last_exit_code,
                last_success_at = COALESCE(excluded.last_success_at, job_state.last_success_at),
                last_failure_at = COALESCE(excluded.last_failure_at, job_state.last_failure_at),
                runs_total = job_state.runs_total + 1, failures_total = job_state.failures_total + excluded.failures_total
            RETURNING notify_status
            """, arguments: [job, .text(result.status.rawValue), result.receivedAt.sqlValue, time, SQLValue(result.duration),
                             SQLValue(result.exitCode), result.status == .success ? time : .null, result.status == .failure ? time : .null,
                             .integer(result.status == .failure ? 1 : 0)])
        let row = try db.queryTogether([insert, fold], table: "results")
        result.id = try row?.int("id")
        let previous = try row?.optionalString("notify_status")
        try close(run, by: &result, db: db)
        if previous != result.status.rawValue {
            try outbox.change(result.jobID, from: previous, to: result.status.rawValue, at: result.receivedAt,
                              lastRun: .init(status: result.status.rawValue, at: result.runAt, exitCode: result.exitCode,
                                             duration: result.duration, output: result.output), db: db)
        }
        return result
    }

    /// Marks the run `result` closes as finished by it.
    private func close(_ run: (id: Int64, startedAt: Date)?, by result: inout JobResult, db: any SQLConnection) throws {
        guard let run else { return }
        try db.execute("UPDATE runs SET finished_at = COALESCE(finished_at, ?), result_id = ? WHERE id = ?",
                       [result.receivedAt.sqlValue, SQLValue(result.id), .integer(run.id)])
        result.closedRun = run.id
    }
}
