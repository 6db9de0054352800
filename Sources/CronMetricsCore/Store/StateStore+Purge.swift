import Foundation

extension StateStore {
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
    /// Finished runs (start signals a result or a timeout closed) that started
    /// before `cutoff` go too, after the results; open runs are state, not
    /// history, and stay until a result or `max_runtime` closes them. So do
    /// delivered notifications made before `cutoff`; dead letters stay.
    ///
    /// - Parameter onBatch: called after each committed batch of results with the
    ///   rows it deleted and how long its transaction took (for benchmarks and logs).
    /// - Returns: how many results were deleted.
    public func purge(
        olderThan cutoff: Date, keepLast: Int, batchSize: Int = 500,
        onBatch: (@Sendable (Int, Duration) -> Void)? = nil
    ) async throws(StoreError) -> Int {
        let limit = cutoff.timeIntervalSince1970
        let total = try await purgeResults(before: limit, keepLast: keepLast, batchSize: batchSize, onBatch: onBatch)
        try await deleteInBatches(batchSize, """
            DELETE FROM runs WHERE id IN (
                SELECT id FROM runs WHERE started_at < ? AND finished_at IS NOT NULL ORDER BY started_at LIMIT ?)
            """, [.real(limit)])
        // Delivered notifications go with the results of their time; dead
        // letters stay until they are requeued or deleted by hand.
        try await deleteInBatches(batchSize, """
            DELETE FROM notifications WHERE id IN (
                SELECT id FROM notifications WHERE state = 'delivered' AND created_at < ? LIMIT ?)
            """, [.real(limit)])
        return total
    }

    /// Deletes rollups of periods that ended before `cutoff` and flips made
    /// before it, except each job's newest lifecycle flip (its life now: a
    /// maintenance begun long ago still excludes its time), in small
    /// transactions as ``purge(olderThan:keepLast:batchSize:onBatch:)``.
    /// - Returns: how many rollups and flips were deleted.
    @discardableResult
    public func purgeHistory(before cutoff: Date, batchSize: Int = 500) async throws(StoreError) -> (rollups: Int, flips: Int) {
        let limit = cutoff.timeIntervalSince1970
        // Rows whose hour or day ended by the cutoff, per grain, so the (grain, start) index finds them.
        let rollups = try await deleteInBatches(batchSize, """
            DELETE FROM rollups WHERE id IN (
                SELECT id FROM rollups WHERE (grain = 3600 AND start <= ?) OR (grain = 86400 AND start <= ?) LIMIT ?)
            """, [.real(limit - 3_600), .real(limit - 86_400)])
        let flips = try await deleteInBatches(batchSize, """
            DELETE FROM flips WHERE id IN (
                SELECT id FROM flips WHERE at < ?
                    AND id NOT IN (SELECT MAX(id) FROM flips WHERE reason = 'lifecycle' GROUP BY job_id) LIMIT ?)
            """, [.real(limit)])
        return (rollups, flips)
    }

    /// Runs `sql` (its last placeholder is the batch size) until a batch deletes fewer rows than the size.
    @discardableResult
    func deleteInBatches(_ batchSize: Int, _ sql: String, _ arguments: [SQLValue],
                                 onBatch: (@Sendable (Int, Duration) -> Void)? = nil) async throws(StoreError) -> Int {
        let clock = ContinuousClock()
        var total = 0
        while true {
            let start = clock.now
            let removed = try await writing { db in try db.execute(sql, arguments + [.integer(Int64(batchSize))]) }
            onBatch?(removed, clock.now - start)
            total += removed
            if removed < batchSize { return total }
            await Task.yield()
        }
    }

    private func purgeResults(
        before limit: Double, keepLast: Int, batchSize: Int, onBatch: (@Sendable (Int, Duration) -> Void)?
    ) async throws(StoreError) -> Int {
        guard keepLast > 0 else {
            return try await deleteInBatches(batchSize, """
                DELETE FROM results WHERE id IN (
                    SELECT id FROM results WHERE received_at < ? ORDER BY received_at LIMIT ?)
                """, [.real(limit)], onBatch: onBatch)
        }
        let clock = ContinuousClock()
        var total = 0
        var jobs = try await reading { db in
            try db.query("SELECT DISTINCT job_id FROM results WHERE received_at < ?", [.real(limit)], table: "results")
                .map { try $0.string("job_id") }
        }[...]
        while !jobs.isEmpty {
            let start = clock.now
            let todo = jobs
            let (removed, remaining) = try await writing { db -> (Int, ArraySlice<String>) in
                var budget = batchSize
                var pending = todo
                while budget > 0, let job = pending.first {
                    // Rows received before the keepLast-th newest one, and before the cutoff.
                    guard let keptFrom = try db.queryOne("""
                        SELECT received_at FROM results WHERE job_id = ? ORDER BY received_at DESC LIMIT 1 OFFSET ?
                        """, [.text(job), .integer(Int64(keepLast - 1))], table: "results")?.double("received_at") else {
                        pending.removeFirst()  // fewer than keepLast results: all stay
                        continue
                    }
                    let deleted = try db.execute("""
                        DELETE FROM results WHERE id IN (
                            SELECT id FROM results WHERE job_id = ? AND received_at < ? LIMIT ?)
                        """, [.text(job), .real(min(limit, keptFrom)), .integer(Int64(budget))])
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
    }
}
