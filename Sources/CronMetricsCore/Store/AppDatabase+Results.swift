import Foundation
import GRDB

extension AppDatabase {
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
        do {
            return try await dbWriter.write { db in
                var writer = try SignalStatements(db, outbox: Outbox(settings: notifications, now: now))
                return try signals.map { signal in
                    switch signal {
                    case let .start(jobID, runID, at):
                        return .start(jobID, try writer.start(jobID, runID: runID, at: at, db: db))
                    case let .result(result):
                        return .result(try writer.result(result, db: db))
                    }
                }
            }
        } catch {
            throw .query("\(error)")
        }
    }

    /// Stores results only (see ``store(_:)``).
    public func insert(_ results: [JobResult]) async throws(StoreError) -> [JobResult] {
        try await store(results.map(Signal.result)).compactMap {
            if case let .result(result) = $0 { return result }
            return nil
        }
    }

    /// A job's results, newest first.
    ///
    /// - Parameters:
    ///   - limit: at most this many.
    ///   - beforeID: only results with a smaller row id (the cursor of the previous page).
    public func fetchResults(for id: JobID, limit: Int, beforeID: Int64? = nil) throws(StoreError) -> [JobResult] {
        do {
            return try dbWriter.read { db in
                try ResultRow
                    .filter(ResultRow.Columns.jobID == id.description && ResultRow.Columns.id < (beforeID ?? Int64.max))
                    .order(ResultRow.Columns.id.desc)
                    .limit(limit)
                    .fetchAll(db)
                    .compactMap(\.result)
            }
        } catch {
            throw .query("\(error)")
        }
    }

    /// How many results are stored for `id`.
    public func countResults(for id: JobID) throws(StoreError) -> Int {
        do {
            return try dbWriter.read { db in
                try ResultRow.filter(ResultRow.Columns.jobID == id.description).fetchCount(db)
            }
        } catch {
            throw .query("\(error)")
        }
    }
}
