import CronMetricsCore
import Foundation
import Logging
import ServiceLifecycle

/// Asks the store a trivial question every interval, so `/ready` and
/// `cronmetrics_store_up` say whether it answers now, without a scrape or a
/// readiness check ever waiting on the database themselves.
struct StoreProbe: NamedService {
    let database: StateStore
    let metrics: ServerMetrics
    let interval: Duration
    let logger: Logger

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await probe()
                try await Task.sleep(for: interval)
            }
        }
    }

    func probe() async {
        do {
            try await database.probe()
            if metrics.setStoreUp(true) { logger.notice("the store answers again") }
        } catch {
            if metrics.setStoreUp(false) {
                logger.error("the store does not answer: submissions get 503, /metrics serves the last known state",
                             metadata: ["error": .string("\(error)")])
            }
        }
    }
}
