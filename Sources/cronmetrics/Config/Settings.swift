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
            return try AppConfiguration(file: configFile ?? environment["CRONMETRICS_CONFIG"], environment: environment, flags: flags)
        } catch {
            printError("error: invalid configuration:\n\(error)")
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
