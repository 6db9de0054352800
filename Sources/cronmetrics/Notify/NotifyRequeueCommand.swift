import ArgumentParser
import CronMetricsCore

struct NotifyRequeueCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "requeue", abstract: "Put dead letters back in the queue: due now, attempts from zero.",
        discussion: "Give one id, or --all (with --channel or --job to narrow it).")

    @OptionGroup var target: DeadLetterTarget
    @OptionGroup var options: OutboxOptions

    func run() async throws {
        if let id = target.id {
            let record = try await options.with { outbox throws(NotificationActionError) in try await outbox.requeue(id: id) }
            print("Requeued notification \(record.id) (\(record.kind) of \(record.jobId) to \(record.channel))")
        } else {
            let query = target.deadLetters
            let count = try await options.with { outbox throws(NotificationActionError) in try await outbox.requeue(query) }
            print("Requeued \(count) dead letter\(count == 1 ? "" : "s")")
        }
    }
}

struct NotifyDeleteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete", abstract: "Delete dead letters (delivered ones go with retention).",
        discussion: "Give one id, or --all (with --channel or --job to narrow it).")

    @OptionGroup var target: DeadLetterTarget
    @OptionGroup var options: OutboxOptions

    func run() async throws {
        if let id = target.id {
            try await options.with { outbox throws(NotificationActionError) in try await outbox.delete(id: id) }
            print("Deleted notification \(id)")
        } else {
            let query = target.deadLetters
            let count = try await options.with { outbox throws(NotificationActionError) in try await outbox.delete(query) }
            print("Deleted \(count) dead letter\(count == 1 ? "" : "s")")
        }
    }
}

/// One id or `--all` (narrowed by `--channel` and `--job`): a bulk action is
/// never the default.
struct DeadLetterTarget: ParsableArguments {
    @Argument(help: "The notification id.") var id: Int64?
    @Flag(help: "Every dead letter (narrowed by --channel and --job).") var all = false
    @OptionGroup var filter: OutboxFilterOptions

    func validate() throws {
        switch (id, all) {
        case (nil, false): throw ValidationError("give a notification id, or --all for every dead letter")
        case (.some, true): throw ValidationError("give a notification id or --all, not both")
        case (.some, false) where filter.channel != nil || filter.job != nil:
            throw ValidationError("--channel and --job narrow --all; they do not go with an id")
        default: return
        }
    }

    /// The dead letters `--all` names.
    var deadLetters: NotificationFilter { NotificationFilter(state: .dead, channel: filter.channel, job: filter.job) }
}
