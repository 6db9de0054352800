import Logging
import ServiceLifecycle
import UnixSignals

/// Reloads the configuration file, `jobs.d`, and the TLS certificate if there
/// is one, on SIGHUP (`systemctl reload`, `kill -HUP`).
struct ReloadSignalService: NamedService {
    let registry: JobRegistry
    let settings: SettingsReloader
    let tls: TLSContextBox?
    let logger: Logger

    func run() async throws {
        let signals = await UnixSignalsSequence(trapping: .sighup)
        for await _ in signals.cancelOnGracefulShutdown() {
            logger.info("SIGHUP: reloading the configuration and jobs")
            _ = await settings.reload()
            await registry.reload(route: "SIGHUP")
            if let tls {
                do {
                    try tls.reload()
                    logger.info("TLS certificate reloaded", metadata: ["cert_file": .string(tls.certificateFile)])
                } catch {
                    logger.error("TLS certificate not reloaded; keeping the current one", metadata: ["error": .string(error.description)])
                }
            }
        }
    }
}
