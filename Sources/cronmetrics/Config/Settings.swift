import ArgumentParser
import CronMetricsCore
import CronMetricsServer
import Foundation
import Logging

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

    /// The server's existing store, opened for a command that works on it
    /// (purge, the outbox, an import): opening a SQLite path that is not
    /// there would create an empty database, and a typo would look like an
    /// empty outbox or a purge with nothing to do. An unreachable PostgreSQL
    /// is retried for `retryFor`, then reported.
    /// - Throws: `ExitCode.failure` after printing why.
    static func existingStore(_ location: StorageLocation, retryFor: Duration = .seconds(10)) async throws -> StateStore {
        if case let .sqlite(path) = location, !FileManager.default.fileExists(atPath: path) {
            printError("error: no database at \(path) (check --database or storage.database)")
            throw ExitCode.failure
        }
        return try await openStore(location, retryFor: retryFor)
    }

    /// Runs `body` on the existing store the configuration names, closing it
    /// after; an error of `body` is printed and exits 1.
    static func withExistingStore<T>(config: String?, flags: [ConfigKey: FlagValue],
                                     _ body: (ServerConfiguration, StateStore) async throws -> T) async throws -> T {
        let server = try Settings.server(try Settings.load(configFile: config, flags: flags))
        let database = try await existingStore(server.storage)
        do {
            let value = try await body(server, database)
            try? await database.close()
            return value
        } catch {
            try? await database.close()
            printError("error: \(error)")
            throw ExitCode.failure
        }
    }

    /// The store at `location`, created and migrated if new.
    /// - Throws: `ExitCode.failure` after printing why.
    static func openStore(_ location: StorageLocation, retryFor: Duration = .seconds(10)) async throws -> StateStore {
        do {
            return try await StateStore.open(location, logger: Logger(label: "cronmetrics"), retryFor: retryFor)
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
