import ArgumentParser
import Foundation
import CronMetricsCore
import Glibc

/// The `cronmetrics` binary: server and CLI in one.
@main
struct CronMetricsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cronmetrics",
        abstract: "Tells you whether your cron jobs ran, and exports that truth to Prometheus.",
        version: CronMetricsVersion.current,
        subcommands: [ServeCommand.self, ValidateCommand.self, JobCommand.self, ConfigCommand.self, PurgeCommand.self, StatsCommand.self, ScheduleCommand.self, RunCommand.self,
                      NotifyCommand.self, ImportCommand.self, StoreCommand.self, PlanCommand.self, AuditCommand.self])

    /// Exit codes: 0 ok, 1 failure, 2 usage. ArgumentParser's own usage code (64)
    /// is mapped to 2, the code the CLI documents.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            let code = exitCode(for: error)
            let message = fullMessage(for: error)
            if code == .success {
                if !message.isEmpty { print(message) }
                Glibc.exit(0)
            }
            if !message.isEmpty { printError(message) }
            if code == .validationFailure {
                Glibc.exit(2)
            }
            Glibc.exit(code.rawValue)
        }
    }
}
