import CronMetricsCore
import Foundation
import Logging
import ServiceLifecycle

/// Checks deadlines every interval, so a silent job is failed (and its
/// `missed_deadlines_total` counted and saved) even when nobody scrapes.
struct DeadlineService: Service {
    let runtime: ServerRuntime
    let logger: Logger

    func run() async throws {
        let interval = runtime.configuration.deadlineInterval
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try await Task.sleep(for: interval)
                await tick()
            }
        }
        // One last pass, so bookkeeping counted since the last tick is saved.
        await tick()
    }

    func tick() async {
        let changes = runtime.state.tick(now: runtime.now())
        guard !changes.isEmpty else { return }
        do {
            try await runtime.database.save(changes)
            runtime.state.saved(changes)
            for change in changes where change.missedAnchor != nil {
                logger.warning("job missed its deadline", metadata: [
                    "job": .string(change.jobID.jobName), "host": .string(change.jobID.host),
                    "missed_deadlines_total": "\(change.missedDeadlinesTotal)",
                ])
            }
        } catch {
            // Still pending in the live state: the next tick tries again.
            logger.error("deadline bookkeeping not saved; retrying on the next tick", metadata: ["error": .string("\(error)")])
        }
    }
}

/// Closes the database after everything else has stopped: services shut down
/// in reverse order, so this one, first in the list, goes last.
struct DatabaseCloser: Service {
    let runtime: ServerRuntime
    let logger: Logger

    func run() async throws {
        try? await gracefulShutdown()
        do {
            try await runtime.close()
            logger.info("database closed")
        } catch {
            logger.error("database did not close cleanly", metadata: ["error": .string("\(error)")])
        }
    }
}
