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
        discussion: "Settings come from --config FILE, then CRONMETRICS_<SECTION>_<KEY>, then flags; see cronmetrics config show.")

    @OptionGroup var file: ConfigFileOption

    @Option(help: "The jobs directory.")
    var jobsDir: String?

    @Option(help: "The SQLite database file.")
    var database: String?

    @Option(help: "Address to listen on, HOST:PORT.")
    var listen: String?

    func run() async throws {
        let effective = try EffectiveConfiguration(configFile: file.config, flags: serveFlags(listen: listen, jobsDir: jobsDir, database: database))
        let configuration = effective.server
        let level = Logger.Level(rawValue: effective.values.string("log.level")) ?? .info
        let format = LogFormatter.Format(rawValue: effective.values.string("log.format")) ?? .text
        LoggingSystem.bootstrap { label in
            LogFormatter(label: label, level: level, format: format)
        }
        let logger = Logger(label: "cronmetrics")
        logger.info("starting", metadata: [
            "listen": "\(configuration.host):\(configuration.port)", "jobs_dir": .string(configuration.jobsDirectory),
            "database": .string(configuration.databasePath), "admin_keys": "\(configuration.adminKeyHashes.count)",
            "tls": "\(configuration.tlsCertificateFile != nil)",
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
