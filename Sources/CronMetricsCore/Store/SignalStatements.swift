import Foundation
import GRDB

/// The cached statements one transaction of signals runs. Counters are
/// incremented in SQL, so the deadline bookkeeping written beside them (other
/// columns of the same row) is never overwritten.
struct SignalStatements {
    /// Results and the state they fold into; runs opened, found and closed.
    let insertResult, closingResult, upsertState: Statement
    let insertRun, upsertStart, runByID, oldestOpenRun, closeRun: Statement
    let outbox: Outbox

    init(_ db: Database, outbox: Outbox) throws {
        self.outbox = outbox
        insertResult = try db.cachedStatement(sql: """
            INSERT INTO results (job_id, received_at, run_at, status, duration, exit_code, output, labels, run_id)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        closingResult = try db.cachedStatement(sql: """
            SELECT * FROM results WHERE job_id = ? AND run_id = ? AND status IN ('success', 'failure') LIMIT 1
            """)
        upsertState = try db.cachedStatement(sql: """
            INSERT INTO job_state (job_id, last_status, last_received_at, last_run_at, last_duration,
                                   last_exit_code, last_success_at, last_failure_at, runs_total, failures_total)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?)
            ON CONFLICT(job_id) DO UPDATE SET
                last_status = excluded.last_status, last_received_at = excluded.last_received_at,
                last_run_at = excluded.last_run_at, last_duration = excluded.last_duration,
                last_exit_code = excluded.last_exit_code,
                last_success_at = COALESCE(excluded.last_success_at, last_success_at),
                last_failure_at = COALESCE(excluded.last_failure_at, last_failure_at),
                runs_total = runs_total + 1, failures_total = failures_total + excluded.failures_total
            RETURNING notify_status
            """)
        insertRun = try db.cachedStatement(sql: "INSERT INTO runs (job_id, run_id, started_at) VALUES (?, ?, ?)")
        upsertStart = try db.cachedStatement(sql: """
            INSERT INTO job_state (job_id, last_start_at) VALUES (?, ?)
            ON CONFLICT(job_id) DO UPDATE SET last_start_at = MAX(COALESCE(last_start_at, 0), excluded.last_start_at)
            """)
        runByID = try db.cachedStatement(sql: """
            SELECT id, started_at FROM runs WHERE job_id = ? AND run_id = ? AND result_id IS NULL ORDER BY started_at LIMIT 1
            """)
        oldestOpenRun = try db.cachedStatement(sql: """
            SELECT id, started_at FROM runs WHERE job_id = ? AND finished_at IS NULL ORDER BY started_at LIMIT 1
            """)
        closeRun = try db.cachedStatement(sql: "UPDATE runs SET finished_at = COALESCE(finished_at, ?), result_id = ? WHERE id = ?")
    }

    mutating func start(_ jobID: JobID, runID: String?, at: Date, db: Database) throws -> OpenRun {
        try insertRun.execute(arguments: [jobID.description, runID, at.timeIntervalSince1970])
        let id = db.lastInsertedRowID
        try upsertStart.execute(arguments: [jobID.description, at.timeIntervalSince1970])
        return OpenRun(id: id, runID: runID, startedAt: at)
    }

    mutating func result(_ submitted: JobResult, db: Database) throws -> JobResult {
        // A run's closing result arrives once: a repeat gets the first one back.
        if submitted.isClosing, let runID = submitted.runID,
           let row = try Row.fetchOne(closingResult, arguments: [submitted.jobID.description, runID]),
           var first = try ResultRow(row: row).result {
            first.isRepeat = true
            return first
        }
        var result = submitted
        var run: (id: Int64, startedAt: Double)?
        if result.status != .log, result.runID != nil || result.openRunExpected {
            let row = try result.runID.map { try Row.fetchOne(runByID, arguments: [result.jobID.description, $0]) }
                ?? (try Row.fetchOne(oldestOpenRun, arguments: [result.jobID.description]))
            run = row.map { ($0["id"], $0["started_at"]) }
        }
        if let run, result.duration == nil {
            result.duration = max(0, result.receivedAt.timeIntervalSince1970 - run.startedAt)
        }
        try insertResult.execute(arguments: [
            result.jobID.description, result.receivedAt.timeIntervalSince1970,
            result.runAt.timeIntervalSince1970, result.status.rawValue, result.duration,
            result.exitCode, result.output, try result.labels.map { try AppDatabase.json($0) }, result.runID,
        ])
        result.id = db.lastInsertedRowID
        if let run {
            try closeRun.execute(arguments: [result.receivedAt.timeIntervalSince1970, result.id, run.id])
            result.closedRun = run.id
        }
        guard result.status != .log else { return result }
        let time = result.runAt.timeIntervalSince1970
        // RETURNING gives the stored notify_status (the upsert leaves it alone):
        // the previous status at no extra query.
        let previous = try Row.fetchOne(upsertState, arguments: [
            result.jobID.description, result.status.rawValue, result.receivedAt.timeIntervalSince1970,
            time, result.duration, result.exitCode,
            result.status == .success ? time : nil, result.status == .failure ? time : nil,
            result.status == .failure ? 1 : 0,
        ])?["notify_status"] as String?
        if previous != result.status.rawValue {
            try outbox.change(result.jobID, from: previous, to: result.status.rawValue, at: result.receivedAt,
                              lastRun: .init(status: result.status.rawValue, at: result.runAt, exitCode: result.exitCode,
                                             duration: result.duration, output: result.output), db: db)
        }
        return result
    }
}
