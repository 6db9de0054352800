import ArgumentParser
import CronMetricsCore

struct NotifyListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List notifications, newest first.")

    enum Output: String, ExpressibleByArgument { case table, json }

    @Option(help: "pending, delivered or dead.") var state: NotificationFilter.State?
    @OptionGroup var filter: OutboxFilterOptions
    @Option(help: "At most this many (1-1000).") var limit = 50
    @Option(help: "Only notifications older than this id (the next page).") var before: Int64?
    @Option(help: "table or json.") var output: Output = .table
    @OptionGroup var options: OutboxOptions

    func validate() throws {
        guard (1...1000).contains(limit) else { throw ValidationError("--limit must be 1 to 1000") }
    }

    func run() async throws {
        let query = NotificationFilter(state: state, channel: filter.channel, job: filter.job)
        let page = try await options.with { outbox throws(NotificationActionError) in try await outbox.list(query, limit: limit, before: before) }
        guard output == .table else { return print(JSONText.encode(page)) }
        guard !page.notifications.isEmpty else { return print("No notifications.") }
        var rows = [["ID", "STATE", "CHANNEL", "JOB", "EVENT", "ATTEMPTS", "CREATED", "LAST ERROR"]]
        for record in page.notifications {
            rows.append(["\(record.id)", record.state, record.channel, record.jobId, record.kind, "\(record.attempts)",
                         RFC3339.format(record.createdAt), Self.oneLine(record.lastError ?? "")])
        }
        print(Table.render(rows))
        if let next = page.nextBefore { print("\nMore: --before \(next)") }
    }

    /// An error on one table line, cut to a readable length.
    static func oneLine(_ text: String) -> String {
        let flat = text.split(whereSeparator: \.isNewline).joined(separator: " ")
        return flat.count > 80 ? String(flat.prefix(79)) + "…" : flat
    }
}

extension NotificationFilter.State: ExpressibleByArgument {}
