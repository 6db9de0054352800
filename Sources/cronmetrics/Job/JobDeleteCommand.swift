import ArgumentParser
import CronMetricsCore

struct JobDeleteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "delete", abstract: "Delete a job's file (its history stays until retention).")

    @Argument(help: "The job id, job_name@host.") var id: String
    @OptionGroup var options: JobOptions

    func run() async throws {
        let id = try parseID(id)
        let definitions = try options.definitions()
        let record = try await refusing { () async throws(JobEditError) in try await definitions.delete(id) }
        print("Job ID \(id) deleted successfully (\(record.path) removed)")
    }
}
