import ArgumentParser
import CronMetricsCore

struct JobRotateKeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rotate-key", abstract: "Mint a new API key for a job and store its hash.")

    @Argument(help: "The job id, job_name@host.") var id: String
    @OptionGroup var options: JobOptions

    func run() async throws {
        let id = try parseID(id)
        let definitions = try options.definitions()
        let rotated = try await refusing { () async throws(JobEditError) in try await definitions.rotateKey(id) }
        print("Job ID \(id) has a new key")
        print("API Key: \(rotated.apiKey ?? "")")
    }
}
