import ArgumentParser
import CronMetricsCore

struct NotifyShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show one notification and its event, as JSON.")

    @Argument(help: "The notification id.") var id: Int64
    @OptionGroup var options: OutboxOptions

    func run() async throws {
        let record = try await options.with { outbox throws(NotificationActionError) in try await outbox.show(id: id) }
        print(JSONText.encode(record))
    }
}
