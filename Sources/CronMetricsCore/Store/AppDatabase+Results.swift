import Foundation
import GRDB

extension AppDatabase {
    static func registerStateMigration(_ migrator: inout DatabaseMigrator) {
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
    }

    /// Stores results and folds them into `job_state`, all in one transaction:
    /// when this returns, every result is on disk.
    ///
    /// - Returns: the results with their row ids.
    public func insert(_ results: [JobResult]) async throws(StoreError) -> [JobResult] {
        do {
            return try await dbWriter.write { db in
                let insertResult = try db.cachedStatement(sql: """
                    INSERT INTO results (job_id, received_at, run_at, status, duration, exit_code, output, labels)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """)
                // Increments in SQL, so the deadline bookkeeping written beside it
                // (other columns of the same row) is never overwritten.
                let upsertState = try db.cachedStatement(sql: """
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
                    """)
                var stored = results
                for index in stored.indices {
                    let result = stored[index]
                    let labels = try result.labels.map { try Self.json($0) }
                    try insertResult.execute(arguments: [
                        result.jobID.description, result.receivedAt.timeIntervalSince1970,
                        result.runAt.timeIntervalSince1970, result.status.rawValue, result.duration,
                        result.exitCode, result.output, labels,
                    ])
                    stored[index].id = db.lastInsertedRowID
                    let run = result.runAt.timeIntervalSince1970
                    try upsertState.execute(arguments: [
                        result.jobID.description, result.status.rawValue, result.receivedAt.timeIntervalSince1970,
                        run, result.duration, result.exitCode,
                        result.status == .success ? run : nil, result.status == .failure ? run : nil,
                        result.status == .failure ? 1 : 0,
                    ])
                }
                return stored
            }
        } catch {
            throw .query("\(error)")
        }
    }

    /// Saves the deadline bookkeeping of some jobs. A counter is never lowered:
    /// the stored value wins if it is higher.
    public func save(_ bookkeeping: [LiveState.Bookkeeping]) async throws(StoreError) {
        guard !bookkeeping.isEmpty else { return }
        do {
            try await dbWriter.write { db in
                let statement = try db.cachedStatement(sql: """
                    INSERT INTO job_state (job_id, missed_deadlines_total, missed_anchor, activated_at)
                    VALUES (?, ?, ?, ?)
                    ON CONFLICT(job_id) DO UPDATE SET
                        missed_deadlines_total = MAX(missed_deadlines_total, excluded.missed_deadlines_total),
                        missed_anchor = excluded.missed_anchor, activated_at = excluded.activated_at
                    """)
                for item in bookkeeping {
                    try statement.execute(arguments: [
                        item.jobID.description, item.missedDeadlinesTotal,
                        item.missedAnchor?.timeIntervalSince1970, item.activatedAt?.timeIntervalSince1970,
                    ])
                }
            }
        } catch {
            throw .query("\(error)")
        }
    }

    /// Every job's stored state, for rebuilding the in-memory picture at start.
    public func fetchStates() throws(StoreError) -> [JobID: JobState] {
        do {
            return try dbWriter.read { db in try Self.states(try Row.fetchAll(db, sql: "SELECT * FROM job_state")) }
        } catch {
            throw .query("\(error)")
        }
    }

    /// The stored state of some jobs (those a reload brings back), by id.
    public func fetchStates(ids: [JobID]) throws(StoreError) -> [JobID: JobState] {
        guard !ids.isEmpty else { return [:] }
        do {
            return try dbWriter.read { db in
                var states: [JobID: JobState] = [:]
                for start in stride(from: 0, to: ids.count, by: 500) {
                    let chunk = ids[start..<min(start + 500, ids.count)].map(\.description)
                    let marks = Array(repeating: "?", count: chunk.count).joined(separator: ",")
                    let rows = try Row.fetchAll(db, sql: "SELECT * FROM job_state WHERE job_id IN (\(marks))", arguments: StatementArguments(chunk))
                    states.merge(try Self.states(rows)) { $1 }
                }
                return states
            }
        } catch {
            throw .query("\(error)")
        }
    }

    static func states(_ rows: [Row]) throws -> [JobID: JobState] {
                var states: [JobID: JobState] = [:]
                for row in rows {
                    guard let id = JobID(row["job_id"] as String) else { continue }
                    var state = JobState()
                    state.lastStatus = (row["last_status"] as String?).flatMap(RunStatus.init(rawValue:))
                    state.lastReceivedAt = Self.date(row["last_received_at"])
                    state.lastRunAt = Self.date(row["last_run_at"])
                    state.lastDuration = row["last_duration"]
                    state.lastExitCode = row["last_exit_code"]
                    state.lastSuccessAt = Self.date(row["last_success_at"])
                    state.lastFailureAt = Self.date(row["last_failure_at"])
                    state.runsTotal = row["runs_total"]
                    state.failuresTotal = row["failures_total"]
                    state.missedDeadlinesTotal = row["missed_deadlines_total"]
                    state.missedAnchor = Self.date(row["missed_anchor"])
                    state.activatedAt = Self.date(row["activated_at"])
                    states[id] = state
                }
                return states
    }

    /// A job's results, newest first.
    ///
    /// - Parameters:
    ///   - limit: at most this many.
    ///   - beforeID: only results with a smaller row id (the cursor of the previous page).
    public func fetchResults(for id: JobID, limit: Int, beforeID: Int64? = nil) throws(StoreError) -> [JobResult] {
        do {
            return try dbWriter.read { db in
                let rows = try Row.fetchAll(db, sql: """
                    SELECT * FROM results WHERE job_id = ? AND id < ? ORDER BY id DESC LIMIT ?
                    """, arguments: [id.description, beforeID ?? Int64.max, limit])
                return rows.map { row in
                    let labels = (row["labels"] as String?).flatMap {
                        try? JSONDecoder().decode([String: String].self, from: Data($0.utf8))
                    }
                    return JobResult(
                        id: row["id"], jobID: id,
                        receivedAt: Date(timeIntervalSince1970: row["received_at"]),
                        runAt: Self.date(row["run_at"]),
                        status: RunStatus(rawValue: row["status"]) ?? .failure,
                        duration: row["duration"], exitCode: row["exit_code"], output: row["output"], labels: labels)
                }
            }
        } catch {
            throw .query("\(error)")
        }
    }

    /// How many results are stored for `id`.
    public func countResults(for id: JobID) throws(StoreError) -> Int {
        do {
            return try dbWriter.read { db in
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM results WHERE job_id = ?", arguments: [id.description]) ?? 0
            }
        } catch {
            throw .query("\(error)")
        }
    }

    static func date(_ seconds: Double?) -> Date? {
        seconds.map(Date.init(timeIntervalSince1970:))
    }

    static func json(_ labels: [String: String]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: try encoder.encode(labels), as: UTF8.self)
    }
}

extension AppDatabase {
    /// Deletes results received before `cutoff`, except each job's `keepLast`
    /// newest, in transactions of at most `batchSize` rows so that writers
    /// (result submissions) wait for one small batch at most. No VACUUM: freed
    /// pages are reused.
    ///
    /// Linear in the rows it deletes: with `keepLast`, each job's boundary (the
    /// receive time of its `keepLast`-th newest result) is one seek in the
    /// `(job_id, received_at)` index, and the rows before it are deleted by
    /// range, never counted row by row.
    ///
    /// - Parameter onBatch: called after each committed batch with the rows it
    ///   deleted and how long its transaction took (for benchmarks and logs).
    /// - Returns: how many results were deleted.
    public func purge(
        olderThan cutoff: Date, keepLast: Int, batchSize: Int = 1000,
        onBatch: (@Sendable (Int, Duration) -> Void)? = nil
    ) async throws(StoreError) -> Int {
        let limit = cutoff.timeIntervalSince1970
        let clock = ContinuousClock()
        var total = 0
        do {
            guard keepLast > 0 else {
                while true {
                    let start = clock.now
                    let removed = try await dbWriter.write { db -> Int in
                        try db.execute(sql: """
                            DELETE FROM results WHERE id IN (
                                SELECT id FROM results WHERE received_at < ? ORDER BY received_at LIMIT ?)
                            """, arguments: [limit, batchSize])
                        return db.changesCount
                    }
                    onBatch?(removed, clock.now - start)
                    total += removed
                    if removed < batchSize { return total }
                    await Task.yield()
                }
            }
            var jobs = try await dbWriter.read { db in
                try String.fetchAll(db, sql: "SELECT DISTINCT job_id FROM results WHERE received_at < ?", arguments: [limit])
            }[...]
            while !jobs.isEmpty {
                let start = clock.now
                let todo = jobs
                let (removed, remaining) = try await dbWriter.write { db -> (Int, ArraySlice<String>) in
                    var budget = batchSize
                    var pending = todo
                    let boundary = try db.cachedStatement(sql: """
                        SELECT received_at FROM results WHERE job_id = ?
                        ORDER BY received_at DESC LIMIT 1 OFFSET ?
                        """)
                    let delete = try db.cachedStatement(sql: """
                        DELETE FROM results WHERE id IN (
                            SELECT id FROM results WHERE job_id = ? AND received_at < ? LIMIT ?)
                        """)
                    while budget > 0, let job = pending.first {
                        // Rows received before the keepLast-th newest one, and before the cutoff.
                        guard let keptFrom = try Double.fetchOne(boundary, arguments: [job, keepLast - 1]) else {
                            pending.removeFirst()  // fewer than keepLast results: all stay
                            continue
                        }
                        try delete.execute(arguments: [job, min(limit, keptFrom), budget])
                        let deleted = db.changesCount
                        budget -= deleted
                        if budget > 0 { pending.removeFirst() }  // this job is done
                    }
                    return (batchSize - budget, pending)
                }
                onBatch?(removed, clock.now - start)
                total += removed
                jobs = remaining
                await Task.yield()
            }
            return total
        } catch {
            throw .query("\(error)")
        }
    }
}
