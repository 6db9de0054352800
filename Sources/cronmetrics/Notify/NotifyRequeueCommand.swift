import ArgumentParser
import CronMetricsCore

struct NotifyRequeueCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "requeue", abstract: "Put dead letters back in the queue: due now, attempts from zero.",
        discussion: "Give one id, or --all (with --channel or --job to narrow it).")

    @OptionGroup var target: DeadLetterTarget
    @OptionGroup var options: OutboxOptions

    func run() async throws {
        try await target.act(options, verb: "Requeued", one: { outbox, id throws(NotificationActionError) in
            let record = try await outbox.requeue(id: id)
            return "notification \(record.id) (\(record.kind) of \(record.jobId) to \(record.channel))"
        }, all: { outbox, filter throws(NotificationActionError) in try await outbox.requeue(filter) })
    }
}
