import CronMetricsCore
import Logging
import ServiceLifecycle

/// Closes the database after everything else has stopped: services shut down
/// in reverse order, so this one, first in the list, goes last.
struct DatabaseCloser: NamedService {
    let database: StateStore
    let logger: Logger

    func run() async throws {
        try? await gracefulShutdown()
        do {
            try await database.close()
            logger.info("database closed")
        } catch {
            logger.error("database did not close cleanly", metadata: ["error": .string("\(error)")])
        }
    }
}
