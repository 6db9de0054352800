import ArgumentParser
import CronMetricsCore

struct JobShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show one job's definition and file.")

    @Argument(help: "The job id, job_name@host.") var id: String
    @Option(help: "text or json.") var output: JobListCommand.Output = .table
    @OptionGroup var options: JobOptions

    func run() async throws {
        let id = try parseID(id)
        let definitions = try options.definitions()
        let record = try await refusing { () async throws(JobEditError) in try await definitions.show(id) }
        print(output == .json ? JobOutput.json(record) : JobOutput.show(record))
    }
}
