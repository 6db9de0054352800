import ArgumentParser
import CronMetricsCore
import CronMetricsServer
import Foundation

/// `--config`, shared by every command that reads the configuration.
struct ConfigFileOption: ParsableArguments {
    @Option(help: "The configuration file (default: $CRONMETRICS_CONFIG, else none).")
    var config: String?
}

/// The configuration as file, environment and flags resolve it, and the
/// server configuration built from it. `serve`, `purge` and `config show` all
/// run on this, so what `config show` prints is what the server uses.
struct EffectiveConfiguration {
    let values: AppConfiguration
    let server: ServerConfiguration

    init(configFile: String?, flags: [String: (value: String, flag: String)]) throws {
        let environment = ProcessInfo.processInfo.environment
        let values: AppConfiguration
        do {
            values = try AppConfiguration(file: configFile ?? environment["CRONMETRICS_CONFIG"], environment: environment, flags: flags)
        } catch {
            printError("error: invalid configuration:\n\(error)")
            throw ExitCode.failure
        }
        self.values = values
        let listen = values.string("server.listen")
        guard let (host, port) = ServerConfiguration.parseListen(listen) else {
            printError("error: server.listen must be HOST:PORT, e.g. 127.0.0.1:8080 (got \(listen); from \(values.settings["server.listen"]?.source ?? "?"))")
            throw ExitCode.failure
        }
        var patterns: [RedactionPattern] = []
        for pattern in values.list("retention.redact_patterns") {
            do {
                patterns.append(try RedactionPattern(pattern))
            } catch {
                printError("error: retention.redact_patterns: '\(pattern)' is not a valid regular expression: \(error)")
                throw ExitCode.failure
            }
        }
        server = ServerConfiguration(
            host: host, port: port,
            jobsDirectory: values.string("jobs.dir"),
            databasePath: values.string("storage.database"),
            adminKeyHashes: ServerConfiguration.adminKeyHashes(from: values.list("security.admin_api_keys").joined(separator: ",")),
            maxBodyBytes: values.integer("server.max_body_bytes"),
            connectionLimits: ConnectionLimits(
                maxConnections: values.integer("server.max_connections"),
                headerTimeout: .seconds(values.integer("server.header_timeout_seconds")),
                bodyTimeout: .seconds(values.integer("server.body_timeout_seconds")),
                idleTimeout: .seconds(values.integer("server.idle_timeout_seconds"))),
            maxOutputBytes: values.integer("retention.max_output_bytes"),
            jobsWatch: WatchMode(rawValue: values.string("jobs.watch")) ?? .inotify,
            pollInterval: .seconds(values.integer("jobs.poll_interval_seconds")),
            tlsCertificateFile: values.optionalString("server.tls.cert_file"),
            tlsKeyFile: values.optionalString("server.tls.key_file"),
            retentionDays: values.integer("retention.days"),
            keepLast: values.integer("retention.keep_last"),
            redactOutput: values.boolean("retention.redact_output"),
            redactPatterns: patterns)
        if (server.tlsCertificateFile == nil) != (server.tlsKeyFile == nil) {
            printError("error: server.tls.cert_file and server.tls.key_file go together: give both or neither")
            throw ExitCode.failure
        }
    }
}

/// `cronmetrics config show|validate`.
struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config", abstract: "Inspect and check the configuration.",
        subcommands: [ConfigShowCommand.self, ConfigValidateCommand.self])
}

struct ConfigShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Print each setting, its value and where it came from (secrets masked).")

    @OptionGroup var file: ConfigFileOption
    @Option(help: "As serve's --listen.") var listen: String?
    @Option(help: "As serve's --jobs-dir.") var jobsDir: String?
    @Option(help: "As serve's --database.") var database: String?

    func run() throws {
        let effective = try EffectiveConfiguration(configFile: file.config, flags: serveFlags(listen: listen, jobsDir: jobsDir, database: database))
        var rows = [["KEY", "VALUE", "SOURCE"]]
        for key in ConfigKey.all {
            guard let setting = effective.values.settings[key.key] else { continue }
            let value: String
            if key.secret {
                value = setting.values.isEmpty ? "(none)" : "\(setting.values.count) value(s), masked"
            } else if case .list = key.kind {
                value = setting.values.isEmpty ? "(none)" : setting.values.joined(separator: ", ")
            } else {
                value = setting.values.first.flatMap { $0.isEmpty ? nil : $0 } ?? "(none)"
            }
            rows.append([key.key, value, setting.source])
        }
        print(Table.render(rows))
    }
}

struct ConfigValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate", abstract: "Check a configuration file; exit 1 on any error.")

    @Argument(help: "The configuration file.") var file: String

    func run() throws {
        guard FileManager.default.fileExists(atPath: file) else {
            printError("error: \(file) does not exist")
            throw ExitCode.failure
        }
        _ = try EffectiveConfiguration(configFile: file, flags: [:])
        print("\(file): valid")
    }
}

/// The flags `serve` shares with `config show`, by configuration key.
func serveFlags(listen: String?, jobsDir: String?, database: String?) -> [String: (value: String, flag: String)] {
    var flags: [String: (value: String, flag: String)] = [:]
    if let listen { flags["server.listen"] = (listen, "--listen") }
    if let jobsDir { flags["jobs.dir"] = (jobsDir, "--jobs-dir") }
    if let database { flags["storage.database"] = (database, "--database") }
    return flags
}
