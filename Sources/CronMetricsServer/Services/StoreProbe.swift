import CronMetricsCore
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Asks the store a trivial question every interval, so `/ready` and
/// `cronmetrics_store_up` say whether it answers now, without a scrape or a
/// readiness check ever waiting on the database themselves.
struct StoreProbe: NamedService {
    let database: StateStore
    let metrics: ServerMetrics
    let interval: Duration
    let logger: Logger
    /// A probe not answered this fast counts as down: a submission would
    /// get 503 by then too (`storage.connect_timeout` on PostgreSQL).
    var timeout: Duration = .seconds(5)

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await probe()
                try await Task.sleep(for: interval)
            }
        }
    }

    func probe() async {
        let database = database, timeout = timeout
        // Whichever comes first, the answer or the timeout; a probe still
        // waiting then is left to finish (or fail) on its own.
        let answered = await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
            let once = ResumeOnce(continuation)
            Task {
                do {
                    try await database.probe()
                    once.resume(true)
                } catch {
                    once.resume(false)
                }
            }
            Task {
                try? await Task.sleep(for: timeout)
                once.resume(false)
            }
        }
        if answered {
            if metrics.setStoreUp(true) { logger.notice("the store answers again") }
        } else if metrics.setStoreUp(false) {
            logger.error("the store does not answer: submissions get 503, /metrics serves the last known state",
                         metadata: ["error": .string("database unavailable: the probe failed or had no answer within \(timeout)")])
        }
    }
}

/// Resumes a continuation with the first value given, and ignores the rest.
private final class ResumeOnce: Sendable {
    private let continuation: Mutex<CheckedContinuation<Bool, Never>?>

    init(_ continuation: CheckedContinuation<Bool, Never>) {
        self.continuation = Mutex(continuation)
    }

    func resume(_ value: Bool) {
        continuation.withLock { pending in
            pending?.resume(returning: value)
            pending = nil
        }
    }
}
