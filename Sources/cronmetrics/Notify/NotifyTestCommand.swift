import ArgumentParser
import CronMetricsCore
import Foundation

struct NotifyTestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test", abstract: "Send a test event through a channel now and say how it went (exit 1 when not delivered).")

    @Argument(help: "The channel name, under notifications.channels.") var channel: String
    @OptionGroup var options: OutboxOptions

    func run() async throws {
        let result = try await options.with { outbox throws(NotificationActionError) in try await outbox.test(channel: channel) }
        let seconds = String(format: "%.2f", result.seconds)
        guard result.outcome == "delivered" else {
            let status = result.status.map { " (\($0))" } ?? ""
            printError("error: not delivered through '\(result.channel)'\(status) after \(seconds) s: \(result.error ?? "no answer")")
            throw ExitCode.failure
        }
        print("Delivered a test event through '\(result.channel)' in \(seconds) s")
    }
}
