import Foundation

/// How one signal (a start, a result) changes the tables, inside the
/// transaction of its batch. Counters are incremented in SQL, so the
/// deadline bookkeeping written beside them (other columns of the same row)
/// is never overwritten.
struct SignalRules {
    let outbox: Outbox

    /// Plain results in one round at most (18 binds each: far under either
    /// database's limit on parameters).
    static let roundSize = 500

    /// Stores a batch's signals in order. Plain results (no run to match,
    /// not a `log`) of distinct jobs are stored together, a round of them in
    /// one statement (one round trip on PostgreSQL, whatever their number);
    /// the others one by one. A job's signals keep their order: a round ends
    /// before another signal of one of its jobs.
    func store(_ signals: [Signal], db: any SQLConnection) throws -> [StoredSignal] {
        var stored: [StoredSignal] = []
        stored.reserveCapacity(signals.count)
        var round: [JobResult] = []
        var jobs = Set<JobID>()
        func flush() throws {
            guard !round.isEmpty else { return }
            stored += try plain(round, db: db).map(StoredSignal.result)
            round.removeAll(keepingCapacity: true)
            jobs.removeAll(keepingCapacity: true)
        }
        for signal in signals {
            if case let .result(result) = signal, result.status != .log, result.runID == nil, !result.openRunExpected {
                if jobs.contains(result.jobID) || round.count == Self.roundSize { try flush() }
                round.append(result)
                jobs.insert(result.jobID)
                continue
            }
            try flush()
            switch signal {
            case let .start(jobID, runID, at):
                let (run, version) = try start(jobID, runID: runID, at: at, db: db)
                stored.append(.start(jobID, run, version: version))
            case let .result(result):
                stored.append(.result(try self.result(result, db: db)))
            }
        }
        try flush()
        return stored
    }

    func start(_ jobID: JobID, runID: String?, at: Date, db: any SQLConnection) throws -> (OpenRun, version: Int64) {
        let id = try db.queryOne("INSERT INTO runs (job_id, run_id, started_at) VALUES (?, ?, ?) RETURNING id",
                                 [.text(jobID.description), SQLValue(runID), at.sqlValue], table: "runs")?.int("id") ?? 0
        let version = try db.queryOne("""
            INSERT INTO job_state (job_id, last_start_at, version) VALUES (?, ?, 1)
            ON CONFLICT(job_id) DO UPDATE SET last_start_at = \(db.dialect.greatest("COALESCE(job_state.last_start_at, 0)", "excluded.last_start_at")),
                version = job_state.version + 1
            RETURNING version
            """, [.text(jobID.description), at.sqlValue], table: "job_state")?.int("version") ?? 0
        return (OpenRun(id: id, runID: runID, startedAt: at), version)
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
                    SELECT id, started_at, timed_out_at FROM runs WHERE job_id = ? AND run_id = ? AND result_id IS NULL
                    ORDER BY started_at LIMIT 1
                    """, [job, .text($0)], table: "runs")
            } ?? db.queryOne("""
                SELECT id, started_at, timed_out_at FROM runs WHERE job_id = ? AND finished_at IS NULL ORDER BY started_at LIMIT 1
                """, [job], table: "runs")
            if let row {
                run = (try row.int("id"), try row.date("started_at"))
                // Its run was counted as a timeout already: one run, not two, in the statistics.
                result.closesTimedOutRun = try row.optionalDate("timed_out_at") != nil
            }
        }
        if let run, result.duration == nil {
            result.duration = max(0, result.receivedAt.timeIntervalSince(run.startedAt))
        }
        guard result.status != .log else {
            let insert = try Self.insert([result])
            result.id = try db.queryOne(insert.sql, insert.arguments, table: "results")?.int("id")
            try close(run, by: &result, db: db)
            return result
        }
        result = try plain([result], db: db)[0]
        try close(run, by: &result, db: db)
        return result
    }

    /// Stores results of distinct jobs, none a `log`, and folds them into
    /// `job_state`: the rows of all of them in one statement (one round trip
    /// on PostgreSQL), then the changes of status they make (``Outbox``).
    private func plain(_ results: [JobResult], db: any SQLConnection) throws -> [JobResult] {
        var folds: [SQLValue] = []
        folds.reserveCapacity(results.count * 13)
        for result in results {
            let histogram = result.countsDuration ? result.duration : nil
            // Typed NULLs: one statement text whatever the rows' statuses (prepared once on PostgreSQL).
            folds += [.text(result.jobID.description), .text(result.status.rawValue), result.receivedAt.sqlValue, result.runAt.sqlValue,
                      SQLValue(result.duration), SQLValue(result.exitCode), SQLValue(result.status == .success ? result.runAt : nil),
                      SQLValue(result.status == .failure ? result.runAt : nil), .integer(1), .integer(result.status == .failure ? 1 : 0),
                      result.receivedAt.sqlValue, SQLValue(histogram.map(DurationHistogram.json)), SQLValue(histogram)]
        }
        // RETURNING gives the stored notify_status (the upsert leaves it
        // alone): each job's previous status at no extra query.
        let rows = try db.queryJoined([
            try Self.insert(results),
            (sql: """
                INSERT INTO job_state (job_id, last_status, last_received_at, last_run_at, last_duration,
                                       last_exit_code, last_success_at, last_failure_at, runs_total, failures_total, version,
                                       streak, streak_since, duration_histogram, duration_sum)
                VALUES \(SQLDialect.valueRows(results.count, row: "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, 1, ?, ?, ?)"))
                ON CONFLICT(job_id) DO UPDATE SET
                    last_status = excluded.last_status, last_received_at = excluded.last_received_at,
                    last_run_at = excluded.last_run_at, last_duration = excluded.last_duration,
                    last_exit_code = excluded.last_exit_code,
                    last_success_at = COALESCE(excluded.last_success_at, job_state.last_success_at),
                    last_failure_at = COALESCE(excluded.last_failure_at, job_state.last_failure_at),
                    runs_total = job_state.runs_total + 1, failures_total = job_state.failures_total + excluded.failures_total,
                    missed_anchor = NULL, version = job_state.version + 1,
                    duration_histogram = cronmetrics_sketch_merge(job_state.duration_histogram, excluded.duration_histogram),
                    duration_sum = CASE WHEN excluded.duration_sum IS NULL THEN job_state.duration_sum
                        ELSE COALESCE(job_state.duration_sum, 0) + excluded.duration_sum END,
                    \(Self.streak("excluded.last_status = 'failure'", at: "excluded.streak_since"))
                RETURNING job_id, notify_status, notified_at, version
                """, arguments: folds),
        ], on: "job_id", table: "results")
        var byJob: [String: SQLRow] = [:]
        for row in rows { byJob[try row.string("job_id")] = row }
        var changes: [Outbox.Change] = []
        var held: [Outbox.Announcement] = []
        let stored = try results.map { submitted in
            guard let row = byJob[submitted.jobID.description] else {
                throw StoreError.query("no row stored for the result of \(submitted.jobID)")
            }
            var result = submitted
            result.id = try row.int("id")
            result.stateVersion = try row.int("version")
            let previous = try row.optionalString("notify_status")
            if previous != result.status.rawValue {
                changes.append(.init(jobID: result.jobID, previous: previous, status: result.status.rawValue, at: result.receivedAt,
                                     version: try row.int("version"), reason: .result, runID: result.runID,
                                     lastRun: .init(status: result.status.rawValue, at: result.runAt, exitCode: result.exitCode,
                                                    duration: result.duration, output: result.output)))
            } else if result.status == .failure, try row.optionalDouble("notified_at") == nil {
                held.append(.init(jobID: result.jobID, previous: result.status.rawValue, status: result.status.rawValue, notifiedAt: nil,
                                  at: result.receivedAt, lastRun: nil, repeatCount: 0))
            }
            return result
        }
        try Rollups.add(stored.filter { !$0.closesTimedOutRun }.map { result in
            Rollups.Event(jobID: result.jobID, at: result.receivedAt, outcome: result.status == .failure ? .failure : .success,
                          duration: result.duration)
        }, db: db)
        // A change of status bumps the version again: what a replica applies is the one after it.
        let versions = try outbox.change(changes, db: db)
        try outbox.reconsider(held, db: db)
        return stored.map { result in
            var result = result
            if let version = versions[result.jobID] { result.stateVersion = version }
            return result
        }
    }

    /// The `SET` of a job's run streak for a run that `failing` (SQL) says
    /// failed or not: one more if the stored status (before this run) was
    /// on the same side, else a new streak from `at`.
    static func streak(_ failing: String, at: String) -> String {
        """
        streak = CASE WHEN job_state.notify_status IS NOT NULL
                AND (job_state.notify_status IN ('failure', 'missed_deadline', 'timeout')) = (\(failing))
            THEN job_state.streak + 1 ELSE 1 END,
        streak_since = CASE WHEN job_state.notify_status IS NOT NULL
                AND (job_state.notify_status IN ('failure', 'missed_deadline', 'timeout')) = (\(failing))
            THEN job_state.streak_since ELSE \(at) END
        """
    }

    /// The statement that inserts `results`' rows, returning their ids and jobs.
    private static func insert(_ results: [JobResult]) throws -> (sql: String, arguments: [SQLValue]) {
        var arguments: [SQLValue] = []
        arguments.reserveCapacity(results.count * 9)
        for result in results {
            arguments += [.text(result.jobID.description), result.receivedAt.sqlValue, result.runAt.sqlValue, .text(result.status.rawValue),
                          SQLValue(result.duration), SQLValue(result.exitCode), SQLValue(result.output),
                          SQLValue(try result.labels.map { try StateStore.json($0) }), SQLValue(result.runID)]
        }
        return (sql: """
            INSERT INTO results (job_id, received_at, run_at, status, duration, exit_code, output, labels, run_id)
            VALUES \(SQLDialect.valueRows(results.count, columns: 9)) RETURNING id, job_id
            """, arguments: arguments)
    }

    /// Marks the run `result` closes as finished by it.
    private func close(_ run: (id: Int64, startedAt: Date)?, by result: inout JobResult, db: any SQLConnection) throws {
        guard let run else { return }
        try db.send("UPDATE runs SET finished_at = COALESCE(finished_at, ?), result_id = ? WHERE id = ?",
                       [result.receivedAt.sqlValue, SQLValue(result.id), .integer(run.id)])
        result.closedRun = run.id
    }
}
