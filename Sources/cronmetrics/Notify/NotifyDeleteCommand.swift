import ArgumentParser
import CronMetricsCore

struct NotifyDeleteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete", abstract: "Delete dead letters (delivered ones go with retention).",
        discussion: "Give one id, or --all (with --channel or --job to narrow it).")

    @OptionGroup var target: DeadLetterTarget
    @OptionGroup var options: OutboxOptions

    func run() async throws {
        try await target.act(options, verb: "Deleted", one: { outbox, id throws(NotificationActionError) in
            try await outbox.delete(id: id)
            return "notification \(id)"
        }, all: { outbox, filter throws(NotificationActionError) in try await outbox.delete(filter) })
    }
}
