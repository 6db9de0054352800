import ArgumentParser
import CronMetricsCore

struct JobAddCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "add", abstract: "Create a job file and mint its API key.")

    @Option(help: "The job's name.") var name: String
    @Option(help: "The host it runs on.") var host: String
    @Option(help: "Seconds of silence before the job is failed, or a duration (90m, 1h30m, 2d).") var threshold: String
    @Option(help: "A label, name=value (repeatable).") var label: [String] = []
    @Option(help: "A description.") var description: String?
    @Option(help: "Use this key (at least 32 characters) instead of generating one.") var apiKey: String?
    @OptionGroup var options: JobOptions

    func run() async throws {
        let labels = try await refusing { () throws(JobEditError) in try JobFilter.labels(label) }
        var fields: [String: JSONValue] = ["job_name": .string(name), "host": .string(host),
                                           "automatic_failure_threshold": JSONValue(durationText: threshold),
                                           "labels": .object(labels.mapValues(JSONValue.string))]
        fields["description"] = description.map(JSONValue.string)
        let definitions = try options.definitions()
        let created = try await refusing { () async throws(JobEditError) in try await definitions.create(fields: fields, apiKey: apiKey) }
        print(JobOutput.created(created, chosenKey: apiKey))
    }
}
