import ArgumentParser
import CronMetricsCore

struct NotifyRequeueCommand: AsyncParsableCommand {
    static let configuration = DeadLetterTarget.command("requeue", "Put dead letters back in the queue: due now, attempts from zero.")

    @OptionGroup var target: DeadLetterTarget

    func run() async throws {
        try await target.act(verb: "Requeued", one: { outbox, id throws(NotificationActionError) in
            let record = try await outbox.requeue(id: id)
            return "notification \(record.id) (\(record.kind) of \(record.jobId) to \(record.channel))"
        }, all: { outbox, filter throws(NotificationActionError) in try await outbox.requeue(filter) })
    }
}
