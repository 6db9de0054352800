import ArgumentParser
import CronMetricsCore

struct JobAddCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "add", abstract: "Create a job file and mint its API key.")

    @Option(help: "The job's name.") var name: String
    @Option(help: "The host it runs on.") var host: String
    @OptionGroup var timing: TimingOptions
    @OptionGroup var channels: NotifyOptions
    @OptionGroup var objective: ObjectiveOptions
    @OptionGroup var policy: PolicyOptions
    @Option(help: "A label, name=value (repeatable).") var label: [String] = []
    @Option(help: "A description.") var description: String?
    @Option(help: "Use this key (at least 32 characters) instead of generating one.") var apiKey: String?
    @OptionGroup var options: JobOptions

    func run() async throws {
        var patch = JobPatch()
        timing.apply(to: &patch)
        channels.apply(to: &patch)
        objective.apply(to: &patch)
        policy.apply(to: &patch)
        patch.setLabels(try await refusing { () throws(JobEditError) in try JobFilter.labels(label) })
        if let description { patch.setDescription(description) }
        let fields = patch.fields.merging(["job_name": .string(name), "host": .string(host)]) { $1 }
        let definitions = try options.definitions()
        let created = try await refusing { () async throws(JobEditError) in try await definitions.create(fields: fields, apiKey: apiKey) }
        print(JobOutput.created(created, chosenKey: apiKey))
    }
}
