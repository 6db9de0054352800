import ArgumentParser
import CronMetricsCore

struct JobShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show one job's definition and file.")

    @OptionGroup var target: JobTarget
    @Option(help: "table (text) or json.") var output: JobListCommand.Output = .table

    func run() async throws {
        let (id, definitions) = try target.resolve()
        let record = try await refusing { () async throws(JobEditError) in try await definitions.show(id) }
        print(output == .json ? JSONText.encode(record.definition) : JobOutput.show(record))
    }
}
