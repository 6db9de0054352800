import ArgumentParser
import CronMetricsServer
import Foundation
import Hummingbird
import Logging

/// `cronmetrics serve`: runs the HTTP server until SIGTERM or SIGINT.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the cronmetrics server.",
        discussion: "Admin keys come from CRONMETRICS_SECURITY_ADMIN_API_KEYS (comma-separated keys or sha256:<hex>).")

    @Option(help: "The jobs directory.")
    var jobsDir: String?

    @Option(help: "The SQLite database file.")
    var database: String?

    @Option(help: "Address to listen on, HOST:PORT.")
    var listen: String?

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let configuration = try EffectiveConfiguration(listen: listen, jobsDir: jobsDir, database: database).server
        let levelName = environment["CRONMETRICS_LOG_LEVEL"] ?? "info"
        guard let level = Logger.Level(rawValue: levelName.lowercased()) else {
            throw ValidationError("CRONMETRICS_LOG_LEVEL must be one of trace, debug, info, notice, warning, error, critical")
        }
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "cronmetrics")
        logger.info("starting", metadata: [
            "listen": "\(configuration.host):\(configuration.port)", "jobs_dir": .string(configuration.jobsDirectory),
            "database": .string(configuration.databasePath), "admin_keys": "\(configuration.adminKeyHashes.count)",
        ])
        let app: any ApplicationProtocol
        do {
            app = try await buildApplication(configuration: configuration, logger: logger)
        } catch {
            printError("error: \(error)")
            throw ExitCode.failure
        }
        try await app.runService()
    }
}
