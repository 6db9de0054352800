import ArgumentParser
import CronMetricsCore

struct JobDeleteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "delete", abstract: "Delete a job's file (its history stays until retention).")

    @OptionGroup var target: JobTarget

    func run() async throws {
        let (id, definitions) = try target.resolve()
        let record = try await refusing { () async throws(JobEditError) in try await definitions.delete(id) }
        print("Job ID \(id) deleted successfully (\(record.path) removed)")
    }
}
