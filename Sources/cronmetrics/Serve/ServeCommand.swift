import ArgumentParser
import CronMetricsCore
import CronMetricsServer
import Foundation
import Hummingbird
import Logging

/// `cronmetrics serve`: runs the HTTP server until SIGTERM or SIGINT.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the cronmetrics server.",
        discussion: "Settings come from --config FILE, then CRONMETRICS_<SECTION>_<KEY>, then flags; see cronmetrics config show.")

    @OptionGroup var options: ServeOptions

    func run() async throws {
        Allocator.limitArenas(cores: ProcessInfo.processInfo.activeProcessorCount)
        let settings = try options.settings()
        var configuration = try Settings.server(settings)
        let format = LogFormatter.Format(rawValue: settings.string(.logFormat)) ?? .text
        let level = LogLevelControl(configuration.logLevel)
        LoggingSystem.bootstrap { label in
            LogFormatter(label: label, level: configuration.logLevel, format: format, control: level)
        }
        let logger = Logger(label: "cronmetrics")
        // Every connection is a file descriptor: raise the soft limit to the hard
        // one (as Go does), and keep the connection cap below it.
        let files = FileLimit.raiseToHard()
        if configuration.connectionLimits.maxConnections > files - 64 {
            logger.warning("server.max_connections is above what the open-file limit allows; lowering it (raise LimitNOFILE / ulimit -n)", metadata: [
                "max_connections": "\(configuration.connectionLimits.maxConnections)", "open_file_limit": "\(files)",
            ])
            configuration.connectionLimits.maxConnections = max(16, files - 64)
        }
        logger.info("starting", metadata: [
            "listen": "\(configuration.host):\(configuration.port)", "jobs_dir": .string(configuration.jobsDirectory),
            "storage": .string(configuration.storage.description), "admin_keys": "\(configuration.adminKeyHashes.count)",
            "tls": "\(configuration.tlsCertificateFile != nil)",
        ])
        let app: any ApplicationProtocol
        do {
            // SIGHUP and POST /-/reload read the file, environment and flags
            // again, exactly as this start did.
            let options = self.options
            app = try await buildApplication(configuration: configuration, logger: logger, logLevel: level) {
                try ServerConfiguration(settings: try options.reloadSettings())
            }
        } catch {
            printError("error: \(error)")
            throw ExitCode.failure
        }
        try await app.runService()
    }
}
