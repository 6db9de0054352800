import ArgumentParser
import CronMetricsCore

/// One id or `--all` (narrowed by `--channel` and `--job`): a bulk action is
/// never the default.
struct DeadLetterTarget: ParsableArguments {
    /// The configuration of a command that acts on dead letters (`requeue`, `delete`).
    static func command(_ name: String, _ abstract: String) -> CommandConfiguration {
        CommandConfiguration(commandName: name, abstract: abstract,
                             discussion: "Give one id, or --all (with --channel or --job to narrow it).")
    }


    @Argument(help: "The notification id.") var id: Int64?
    @Flag(help: "Every dead letter (narrowed by --channel and --job).") var all = false
    @OptionGroup var filter: OutboxFilterOptions
    @OptionGroup var options: OutboxOptions

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

    /// Does `one` to the named id, or `all` to every dead letter `--all`
    /// names, and prints what was done (`Requeued notification 7 (…)`,
    /// `Requeued 3 dead letters`).
    func act(verb: String,
             one: (any NotificationOutbox, Int64) async throws(NotificationActionError) -> String,
             all: (any NotificationOutbox, NotificationFilter) async throws(NotificationActionError) -> Int) async throws {
        if let id {
            let done = try await options.with { outbox throws(NotificationActionError) in try await one(outbox, id) }
            print("\(verb) \(done)")
        } else {
            let query = deadLetters
            let count = try await options.with { outbox throws(NotificationActionError) in try await all(outbox, query) }
            print("\(verb) \(count) dead letter\(count == 1 ? "" : "s")")
        }
    }
}
