import CronMetricsCore
import Foundation
import Synchronization

/// Commits results with group commit: one writer, and every result that arrives
/// while a transaction is on disk goes into the next one. Each submitter is
/// answered only after the transaction holding its result has committed, so an
/// acknowledged result survives `kill -9`; under load, one fsync serves many.
final class ResultWriter: Sendable {
    private struct Pending {
        var result: JobResult
        var continuation: CheckedContinuation<JobResult, any Error>
    }

    private struct Queue {
        var pending: [Pending] = []
        var draining = false
    }

    /// Results per transaction at most, so one batch never holds the lock for long.
    static let maxBatch = 2048

    private let queue = Mutex(Queue())
    private let database: AppDatabase
    private let state: LiveState
    private let now: @Sendable () -> Date

    init(database: AppDatabase, state: LiveState, now: @escaping @Sendable () -> Date) {
        self.database = database
        self.state = state
        self.now = now
    }

    /// Stores `result`; returns it with its row id once it is durable.
    func submit(_ result: JobResult) async throws -> JobResult {
        try await withCheckedThrowingContinuation { continuation in
            let startDrain = queue.withLock { queue -> Bool in
                queue.pending.append(Pending(result: result, continuation: continuation))
                guard !queue.draining else { return false }
                queue.draining = true
                return true
            }
            if startDrain {
                // Not tied to the request's task: a client that hangs up must not
                // cancel a write that other clients' results share.
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
                let stored = try await database.insert(batch.map(\.result))
                state.record(stored, now: now())
                for (pending, result) in zip(batch, stored) {
                    pending.continuation.resume(returning: result)
                }
            } catch {
                for pending in batch {
                    pending.continuation.resume(throwing: error)
                }
            }
        }
    }
}
