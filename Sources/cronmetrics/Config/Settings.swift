import ArgumentParser
import CronMetricsCore
import CronMetricsServer
import Foundation

/// The settings as file, environment and flags resolve them: `serve`,
/// `purge`, the job commands and `config show` all read them here, so what
/// `config show` prints is what the server uses.
enum Settings {
    /// - Throws: `ExitCode.failure` after printing every problem.
    static func load(configFile: String?, flags: [ConfigKey: FlagValue] = [:]) throws -> AppConfiguration {
        let environment = ProcessInfo.processInfo.environment
        do {
            let settings = try AppConfiguration(file: file(configFile), environment: environment, flags: flags)
            for warning in settings.warnings { printError("warning: \(warning)") }
            return settings
        } catch {
            printError("error: invalid configuration:\n\(error)")
            throw ExitCode.failure
        }
    }

    /// Where the system's configuration lives when none is named, as the Go
    /// cron-exporter read it.
    static let systemFile = "/etc/cronmetrics/config.yaml"

    /// The configuration file: `--config`, else `$CRONMETRICS_CONFIG`, else
    /// ``systemFile`` when it exists, else none.
    static func file(_ given: String?) -> String? {
        if let given { return given }
        if let named = ProcessInfo.processInfo.environment["CRONMETRICS_CONFIG"], !named.isEmpty { return named }
        return FileManager.default.fileExists(atPath: systemFile) ? systemFile : nil
    }

    /// The server's existing database, opened for a command that works on it
    /// (purge, the outbox): opening a path that is not there would create an
    /// empty database, and a typo would look like an empty outbox or a purge
    /// with nothing to do.
    /// - Throws: `ExitCode.failure` after printing why.
    static func existingDatabase(_ path: String) throws -> AppDatabase {
        guard FileManager.default.fileExists(atPath: path) else {
            printError("error: no database at \(path) (check --database or storage.database)")
            throw ExitCode.failure
        }
        do {
            return try AppDatabase(path: path)
        } catch {
            printError("error: \(error)")
            throw ExitCode.failure
        }
    }

    /// The server's configuration from the settings, checked by the server itself.
    static func server(_ settings: AppConfiguration) throws -> ServerConfiguration {
        do {
            return try ServerConfiguration(settings: settings)
        } catch {
            printError("error: invalid configuration:\n\(error)")
            throw ExitCode.failure
        }
    }
}
