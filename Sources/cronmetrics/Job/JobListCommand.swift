import ArgumentParser
import CronMetricsCore

struct JobListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List jobs, optionally filtered.")

    enum Output: String, ExpressibleByArgument { case table, json }

    @Option(help: "Only jobs with this label, name=value (repeatable).") var label: [String] = []
    @Option(help: "Only jobs with this lifecycle status (active, maintenance, paused, retired).") var status: Lifecycle?
    @Option(help: "Only jobs on this host.") var host: String?
    @Flag(help: "Show whether each job has a key (keys are never stored, only their hashes).") var showAPIKeys = false
    @Option(help: "table or json.") var output: Output = .table
    @OptionGroup var options: JobOptions

    func run() async throws {
        let labels = try await refusing { () throws(JobEditError) in try JobFilter.labels(label) }
        let filter = JobFilter(labels: labels, lifecycle: status, host: host)
        let definitions = try options.definitions()
        let records = try await refusing { () async throws(JobEditError) in try await definitions.list(filter) }
        guard output == .table else { return print(JSONText.encode(records.map(\.definition))) }
        print(JobOutput.table(records, hashes: showAPIKeys))
        if showAPIKeys {
            print("\nAPI keys are never stored, only their SHA-256 hashes, so they cannot be shown.")
            print("Issue a new key with: cronmetrics job rotate-key ID")
        }
    }
}

extension Lifecycle: ExpressibleByArgument, EnumerableFlag {}
