import ArgumentParser
import CronMetricsServer
import Foundation

/// The server's settings as flags, environment and defaults resolve them (a flag
/// wins over `CRONMETRICS_<SECTION>_<KEY>`, which wins over the default), with
/// where each value came from. `serve` runs on it; `config show` prints it.
struct EffectiveConfiguration {
    struct Setting {
        var key: String
        var value: String
        var source: String
    }

    var settings: [Setting] = []
    var server = ServerConfiguration()

    init(listen: String?, jobsDir: String?, database: String?, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        func pick(_ key: String, flag: String?, flagName: String, env: String, default value: String) -> String {
            if let flag {
                settings.append(Setting(key: key, value: flag, source: "flag \(flagName)"))
                return flag
            }
            if let fromEnv = environment[env] {
                settings.append(Setting(key: key, value: fromEnv, source: "env \(env)"))
                return fromEnv
            }
            settings.append(Setting(key: key, value: value, source: "default"))
            return value
        }
        let listenText = pick("server.listen", flag: listen, flagName: "--listen", env: "CRONMETRICS_SERVER_LISTEN", default: "127.0.0.1:8080")
        guard let (host, port) = ServerConfiguration.parseListen(listenText) else {
            throw ValidationError("server.listen must be HOST:PORT, e.g. 127.0.0.1:8080 (got \(listenText))")
        }
        server.host = host
        server.port = port
        server.jobsDirectory = pick("jobs.dir", flag: jobsDir, flagName: "--jobs-dir", env: "CRONMETRICS_JOBS_DIR", default: "./jobs.d")
        server.databasePath = pick("storage.database", flag: database, flagName: "--database", env: "CRONMETRICS_STORAGE_DATABASE", default: "./cronmetrics.db")
        let keys = environment["CRONMETRICS_SECURITY_ADMIN_API_KEYS"] ?? ""
        server.adminKeyHashes = ServerConfiguration.adminKeyHashes(from: keys)
        settings.append(Setting(
            key: "security.admin_api_keys",
            value: server.adminKeyHashes.isEmpty ? "(none)" : "\(server.adminKeyHashes.count) key(s), masked",
            source: keys.isEmpty ? "default" : "env CRONMETRICS_SECURITY_ADMIN_API_KEYS"))
        let level = environment["CRONMETRICS_LOG_LEVEL"]
        settings.append(Setting(key: "log.level", value: level ?? "info", source: level == nil ? "default" : "env CRONMETRICS_LOG_LEVEL"))
    }
}

/// `cronmetrics config show`.
struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config", abstract: "Inspect the effective configuration.", subcommands: [ConfigShowCommand.self])
}

struct ConfigShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Print each setting, its value and where it came from (secrets masked).")

    @Option(help: "As serve's --listen.") var listen: String?
    @Option(help: "As serve's --jobs-dir.") var jobsDir: String?
    @Option(help: "As serve's --database.") var database: String?

    func run() throws {
        let effective = try EffectiveConfiguration(listen: listen, jobsDir: jobsDir, database: database)
        print(Table.render([["KEY", "VALUE", "SOURCE"]] + effective.settings.map { [$0.key, $0.value, $0.source] }))
    }
}
