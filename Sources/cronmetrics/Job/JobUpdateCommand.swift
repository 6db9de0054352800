import ArgumentParser
import CronMetricsCore

struct JobUpdateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "update", abstract: "Change a job in its file.")

    @OptionGroup var target: JobTarget
    @Flag(help: "A new lifecycle: --active, --maintenance (-1, no deadline), --paused, or --retired (not exported).")
    var lifecycle: Lifecycle?
    @Option(help: "With --maintenance: when maintenance ends by itself (RFC 3339).") var maintenanceUntil: String?
    @OptionGroup var timing: TimingOptions
    @OptionGroup var channels: NotifyOptions
    @OptionGroup var objective: ObjectiveOptions
    @OptionGroup var policy: PolicyOptions
    @Option(help: "Set a label, name=value (repeatable).") var label: [String] = []
    @Option(help: "Remove a label (repeatable).") var removeLabel: [String] = []
    @Option(help: "A new description.") var description: String?
    @Flag(help: "Mint a new API key (the old one stops working).") var rotateKey = false

    func validate() throws {
        if maintenanceUntil != nil, lifecycle != .maintenance { throw ValidationError("--maintenance-until goes with --maintenance") }
    }

    /// The flags as a patch of the job.
    func patch() throws -> JobPatch {
        var patch = JobPatch()
        if let lifecycle { patch.set(lifecycle, maintenanceUntil: maintenanceUntil) }
        timing.apply(to: &patch)
        channels.apply(to: &patch)
        objective.apply(to: &patch)
        policy.apply(to: &patch)
        patch.setLabels(try JobFilter.labels(label), removing: removeLabel)
        if let description { patch.setDescription(description) }
        return patch
    }

    func run() async throws {
        let (id, definitions) = try target.resolve()
        let patch = try patch()
        let record = try await refusing { () async throws(JobEditError) in try await definitions.patch(id, patch.fields, apiKey: nil) }
        print("Job ID \(id) updated successfully (\(record.path), status \(record.status))")
        if rotateKey { try await JobRotateKeyCommand.rotate(id, definitions) }
    }
}
