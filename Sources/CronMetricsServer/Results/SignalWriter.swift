import CronMetricsCore
import Foundation
import Synchronization

/// Commits signals (results, start signals) with group commit: one writer,
/// and every signal that arrives while a transaction is on disk goes into the
/// next one. Each sender is answered only after the transaction holding its
/// signal has committed, so an acknowledged signal survives `kill -9`; under
/// load, one fsync serves many.
final class SignalWriter: Sendable {
    private struct Pending {
        var signal: Signal
        var continuation: CheckedContinuation<StoredSignal, any Error>
    }

    private struct Queue {
        var pending: [Pending] = []
        var draining = false
    }

    /// Signals per transaction at most, so one batch never holds the lock for long.
    static let maxBatch = 2048

    private let queue = Mutex(Queue())
    private let database: StateStore
    private let state: LiveState
    private let now: @Sendable () -> Date
    /// Where notifications of the changes it writes go.
    private let settings: RuntimeSettings?

    init(database: StateStore, state: LiveState, settings: RuntimeSettings? = nil, now: @escaping @Sendable () -> Date) {
        self.settings = settings
        self.database = database
        self.state = state
        self.now = now
    }

    /// Stores a result; returns it with its row id (and the run it closed) once durable.
    func submit(_ result: JobResult) async throws -> JobResult {
        var result = result
        result.openRunExpected = result.runID == nil && state.hasOpenRuns(result.jobID)
        guard case let .result(stored) = try await send(.result(result)) else { throw StoreError.query("unexpected answer") }
        return stored
    }

    /// Stores a start signal; returns the open run once durable.
    func start(_ jobID: JobID, runID: String?, at: Date) async throws -> OpenRun {
        guard case let .start(_, run) = try await send(.start(jobID: jobID, runID: runID, at: at)) else {
            throw StoreError.query("unexpected answer")
        }
        return run
    }

    private func send(_ signal: Signal) async throws -> StoredSignal {
        try await withCheckedThrowingContinuation { continuation in
            let startDrain = queue.withLock { queue -> Bool in
                queue.pending.append(Pending(signal: signal, continuation: continuation))
                guard !queue.draining else { return false }
                queue.draining = true
                return true
            }
            if startDrain {
                // Not tied to the request's task: a client that hangs up must not
                // cancel a write that other clients' signals share.
                Task.detached { await self.drain() }
            }
        }
    }

    private func drain() async {
        while true {
            let batch = queue.withLock { queue -> [Pending] in
                let batch = Array(queue.pending.prefix(Self.maxBatch))
                queue.pending.removeFirst(batch.count)
                if batch.isEmpty { queue.draining = false }
                return batch
            }
            guard !batch.isEmpty else { return }
            do {
                let stored = try await database.store(batch.map(\.signal), notifications: settings?.notifications, now: now())
                let time = now()
                var starts: [(JobID, OpenRun)] = []
                var results: [JobResult] = []
                for signal in stored {
                    switch signal {
                    case let .start(id, run): starts.append((id, run))
                    case let .result(result): if !result.isRepeat { results.append(result) }
                    }
                }
                // Starts first: a result in the same batch may close one of them.
                if !starts.isEmpty { state.started(starts, now: time) }
                if !results.isEmpty { state.record(results, now: time) }
                for (pending, signal) in zip(batch, stored) {
                    pending.continuation.resume(returning: signal)
                }
            } catch {
                for pending in batch {
                    pending.continuation.resume(throwing: error)
                }
            }
        }
    }
}
