import ArgumentParser
import CronMetricsCore

struct NotifyDeleteCommand: AsyncParsableCommand {
    static let configuration = DeadLetterTarget.command("delete", "Delete dead letters (delivered ones go with retention).")

    @OptionGroup var target: DeadLetterTarget

    func run() async throws {
        try await target.act(verb: "Deleted", one: { outbox, id throws(NotificationActionError) in
            try await outbox.delete(id: id)
            return "notification \(id)"
        }, all: { outbox, filter throws(NotificationActionError) in try await outbox.delete(filter) })
    }
}
