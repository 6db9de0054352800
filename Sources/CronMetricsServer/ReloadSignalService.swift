import Logging
import ServiceLifecycle
import UnixSignals

/// Reloads `jobs.d` on SIGHUP (`systemctl reload`, `kill -HUP`).
struct ReloadSignalService: Service {
    let runtime: ServerRuntime
    let logger: Logger

    func run() async throws {
        let signals = await UnixSignalsSequence(trapping: .sighup)
        for await _ in signals.cancelOnGracefulShutdown() {
            logger.info("SIGHUP: reloading jobs")
            await runtime.reload()
        }
    }
}
