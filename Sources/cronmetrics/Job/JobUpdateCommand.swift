import ArgumentParser
import CronMetricsCore

struct JobUpdateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "update", abstract: "Change a job in its file.")

    @Argument(help: "The job id, job_name@host.") var id: String
    @Flag(help: "Put the job in maintenance (-1, no deadline).") var maintenance = false
    @Option(help: "With --maintenance: when maintenance ends by itself (RFC 3339).") var maintenanceUntil: String?
    @Flag(help: "Make the job active.") var active = false
    @Flag(help: "Pause the job.") var paused = false
    @Flag(help: "Retire the job (no longer exported).") var retired = false
    @Option(help: "A new threshold: seconds or a duration.") var threshold: String?
    @Option(help: "Set a label, name=value (repeatable).") var label: [String] = []
    @Option(help: "Remove a label (repeatable).") var removeLabel: [String] = []
    @Option(help: "A new description.") var description: String?
    @Flag(help: "Mint a new API key (the old one stops working).") var rotateKey = false
    @OptionGroup var options: JobOptions

    func validate() throws {
        if [maintenance, active, paused, retired].filter({ $0 }).count > 1 {
            throw ValidationError("give at most one of --maintenance, --active, --paused, --retired")
        }
        if maintenanceUntil != nil, !maintenance { throw ValidationError("--maintenance-until goes with --maintenance") }
    }

    /// The flags as a merge patch of the job's fields.
    func patch() throws -> [String: JSONValue] {
        var patch: [String: JSONValue] = [:]
        let lifecycle: (String, JSONValue?)? = maintenance ? ("maintenance", maintenanceUntil.map(JSONValue.string) ?? .null)
            : active ? ("active", .null) : paused ? ("paused", nil) : retired ? ("retired", nil) : nil
        if let (status, until) = lifecycle {
            patch["status"] = .string(status)
            if let until { patch["maintenance_until"] = until }
        }
        patch["automatic_failure_threshold"] = threshold.map(thresholdValue)
        var labels = try JobFilter.labels(label).mapValues(JSONValue.string)
        for name in removeLabel { labels[name] = .null }
        if !labels.isEmpty { patch["labels"] = .object(labels) }
        patch["description"] = description.map(JSONValue.string)
        return patch
    }

    func run() async throws {
        let id = try parseID(id)
        let patch = try patch()
        let definitions = try options.definitions()
        let record = try await refusing { () async throws(JobEditError) in try await definitions.patch(id, patch, apiKey: nil) }
        print("Job ID \(id) updated successfully (\(record.path), status \(record.status))")
        if rotateKey {
            let rotated = try await refusing { () async throws(JobEditError) in try await definitions.rotateKey(id) }
            print("API Key: \(rotated.apiKey ?? "")")
        }
    }
}
