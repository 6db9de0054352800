import Foundation

extension StateStore {
    /// Stores start signals and results and folds them into `job_state`,
    /// all in one transaction: when this returns, every signal is on disk.
    ///
    /// A result closes the run it names (`run_id`), else the job's oldest
    /// open run; with no `duration` of its own it gets the run's, from start to
    /// arrival. A `log` result is stored and changes no state.
    ///
    /// A change of a job's status writes its notifications (``Outbox``) in the
    /// same transaction, to the channels of `notifications`.
    ///
    /// - Returns: the signals as stored, in order.
    public func store(_ signals: [Signal], notifications: NotificationSettings? = nil, now: Date = Date()) async throws(StoreError) -> [StoredSignal] {
        let rules = SignalRules(outbox: Outbox(settings: notifications, now: now, corruptRows: corruptRows))
        return try await writing { db in
            let stored = try rules.store(signals, db: db)
            var changed = Set<JobID>()
            for signal in stored {
                switch signal {
                case let .start(id, _, _): changed.insert(id)
                case let .result(result): if result.stateVersion != nil, !result.isRepeat { changed.insert(result.jobID) }
                }
            }
            try Self.announceStateChanges(changed, db: db)
            return stored
        }
    }

    /// Stores results only (see ``store(_:notifications:now:)``).
    public func insert(_ results: [JobResult]) async throws(StoreError) -> [JobResult] {
        try await store(results.map(Signal.result)).compactMap {
            if case let .result(result) = $0 { return result }
            return nil
        }
    }

    /// A job's results, newest first. A row that cannot be read is left out
    /// and reported (``corruptRows``).
    ///
    /// - Parameters:
    ///   - limit: at most this many.
    ///   - beforeID: only results with a smaller row id (the cursor of the previous page).
    public func fetchResults(for id: JobID, limit: Int, beforeID: Int64? = nil) async throws(StoreError) -> [JobResult] {
        let corruptRows = corruptRows
        return try await reading { db in
            try db.query("""
                SELECT \(ResultRow.columns) FROM results WHERE job_id = ? AND id < ? ORDER BY id DESC LIMIT ?
                """, [.text(id.description), .integer(beforeID ?? Int64.max), .integer(Int64(limit))], table: "results")
                .compactMap { row in corruptRows.reading { () throws(StoreError) in try ResultRow.result(row) } }
        }
    }

    /// How many results are stored for `id`.
    public func countResults(for id: JobID) async throws(StoreError) -> Int {
        try await reading { db in
            Int(try db.queryOne("SELECT COUNT(*) AS n FROM results WHERE job_id = ?", [.text(id.description)])?.int("n") ?? 0)
        }
    }
}
