import CronMetricsCore
import Foundation
import Synchronization

/// Commits signals (results, start signals) with group commit: every signal
/// that arrives while a transaction is on disk goes into the next one. Each
/// sender is answered only after the transaction holding its signal has
/// committed, so an acknowledged signal survives `kill -9`; under load, one
/// commit serves many.
///
/// Up to ``SQLDriver/writeConcurrency`` transactions run at once (one on
/// SQLite, which has one writer; several on PostgreSQL, where a transaction
/// waits on round trips more than on the disk): while one commits, the next
/// gathers everything that arrived meanwhile. A transaction takes no signal
/// of a job another one holds, so a job's signals are stored and folded into
/// the live state in the order they arrived, and two never write the same job.
final class SignalWriter: Sendable {
    private struct Pending {
        var signal: Signal
        var continuation: CheckedContinuation<StoredSignal, any Error>
    }

    private struct Queue {
        var pending: [Pending] = []
        /// The jobs of the transactions running now.
        var held: Set<JobID> = []
        var drainers = 0
    }

    /// Signals per transaction at most, so one batch never holds the lock for long.
    static let maxBatch = 2048

    private let queue = Mutex(Queue())
    private let concurrency: Int
    private let database: StateStore
    private let state: LiveState
    private let now: @Sendable () -> Date
    /// Where notifications of the changes it writes go.
    private let settings: RuntimeSettings?
    /// Re-reads jobs whose stored state moved past what this server applied.
    private let refresher: StateRefresher?

    init(database: StateStore, state: LiveState, settings: RuntimeSettings? = nil, refresher: StateRefresher? = nil,
         now: @escaping @Sendable () -> Date) {
        self.settings = settings
        self.refresher = refresher
        self.database = database
        concurrency = max(1, database.driver.writeConcurrency)
        self.state = state
        self.now = now
    }

    /// Stores a result; returns it with its row id (and the run it closed) once durable.
    func submit(_ result: JobResult) async throws -> JobResult {
        var result = result
        result.openRunExpected = result.runID == nil && state.hasOpenRuns(result.jobID)
        result.countsDuration = state.exportsDurations(result.jobID)
        guard case let .result(stored) = try await send(.result(result)) else { throw StoreError.query("unexpected answer") }
        return stored
    }

    /// Stores a start signal; returns the open run once durable.
    func start(_ jobID: JobID, runID: String?, at: Date) async throws -> OpenRun {
        guard case let .start(_, run, _) = try await send(.start(jobID: jobID, runID: runID, at: at)) else {
            throw StoreError.query("unexpected answer")
        }
        return run
    }

    private func send(_ signal: Signal) async throws -> StoredSignal {
        try await withCheckedThrowingContinuation { continuation in
            let startDrain = queue.withLock { queue -> Bool in
                queue.pending.append(Pending(signal: signal, continuation: continuation))
                // A held job's signal is taken by its holder's next round.
                guard queue.drainers < concurrency, !queue.held.contains(signal.jobID) else { return false }
                queue.drainers += 1
                return true
            }
            if startDrain {
                // Not tied to the request's task: a client that hangs up must not
                // cancel a write that other clients' signals share.
                Task.detached { await self.drain() }
            }
        }
    }

    /// Commits batches until nothing is left that no other transaction holds.
    private func drain() async {
        var mine = Set<JobID>()
        while true {
            let taken = queue.withLock { queue -> [Pending] in
                queue.held.subtract(mine)
                var batch: [Pending] = [], rest: [Pending] = []
                for pending in queue.pending {
                    if batch.count < Self.maxBatch, !queue.held.contains(pending.signal.jobID) {
                        batch.append(pending)
                    } else {
                        rest.append(pending)
                    }
                }
                mine = Set(batch.map(\.signal.jobID))
                // A job cut off by maxBatch stays held: its later signals wait for this batch.
                queue.held.formUnion(mine)
                queue.pending = rest
                if batch.isEmpty { queue.drainers -= 1 }
                return batch
            }
            guard !taken.isEmpty else { return }
            // By job, each job's signals in their order: every transaction
            // takes its rows' locks in one order, so two never wait on each other.
            let batch = taken.enumerated().map { (key: $0.element.signal.jobID.description, offset: $0.offset, pending: $0.element) }
                .sorted { $0.key != $1.key ? $0.key < $1.key : $0.offset < $1.offset }
                .map(\.pending)
            do {
                try await commit(batch)
            } catch StoreError.unavailable(let reason) {
                for pending in batch {
                    pending.continuation.resume(throwing: StoreError.unavailable(reason))
                }
            } catch {
                // Something in the batch the database refuses: one signal must
                // not fail the others sent with it, so each goes alone.
                guard batch.count > 1 else {
                    batch[0].continuation.resume(throwing: error)
                    continue
                }
                for pending in batch {
                    do {
                        try await commit([pending])
                    } catch {
                        pending.continuation.resume(throwing: error)
                    }
                }
            }
        }
    }

    /// Stores `batch` in one transaction, folds it into the live state and
    /// answers its senders; throws (answering no one) when it was not stored.
    private func commit(_ batch: [Pending]) async throws {
        let stored = try await database.store(batch.map(\.signal), notifications: settings?.notifications, now: now())
        // In the order stored: a result in the batch may close a run started in it.
        let behind = state.apply(stored, now: now())
        if !behind.isEmpty { refresher?.refresh(behind) }
        for (pending, signal) in zip(batch, stored) {
            pending.continuation.resume(returning: signal)
        }
    }
}
