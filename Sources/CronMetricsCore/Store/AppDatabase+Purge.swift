import Foundation
import GRDB

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
        do {
            let total = try await purgeResults(before: limit, keepLast: keepLast, batchSize: batchSize, onBatch: onBatch)
            try await purgeFinishedRuns(before: limit, batchSize: batchSize)
            try await purgeDelivered(before: limit, batchSize: batchSize)
            return total
        } catch {
            throw .query("\(error)")
        }
    }

    /// Delivered notifications go with the results of their time; dead
    /// letters stay until they are requeued or deleted by hand.
    private func purgeDelivered(before limit: Double, batchSize: Int) async throws {
        while true {
            let removed = try await dbWriter.write { db -> Int in
                try db.execute(sql: """
                    DELETE FROM notifications WHERE id IN (
                        SELECT id FROM notifications WHERE state = 'delivered' AND created_at < ? LIMIT ?)
                    """, arguments: [limit, batchSize])
                return db.changesCount
            }
            if removed < batchSize { return }
            await Task.yield()
        }
    }

    private func purgeFinishedRuns(before limit: Double, batchSize: Int) async throws {
        while true {
            let removed = try await dbWriter.write { db -> Int in
                try db.execute(sql: """
                    DELETE FROM runs WHERE id IN (
                        SELECT id FROM runs WHERE started_at < ? AND finished_at IS NOT NULL ORDER BY started_at LIMIT ?)
                    """, arguments: [limit, batchSize])
                return db.changesCount
            }
            if removed < batchSize { return }
            await Task.yield()
        }
    }

    private func purgeResults(
        before limit: Double, keepLast: Int, batchSize: Int, onBatch: (@Sendable (Int, Duration) -> Void)?
    ) async throws -> Int {
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
        }
    }
}
