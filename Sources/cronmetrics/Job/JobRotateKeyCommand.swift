import ArgumentParser
import CronMetricsCore

struct JobRotateKeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rotate-key", abstract: "Mint a new API key for a job and store its hash.")

    @OptionGroup var target: JobTarget

    func run() async throws {
        let (id, definitions) = try target.resolve()
        print("Job ID \(id) has a new key")
        try await Self.rotate(id, definitions)
    }

    /// Rotates the key and prints it, once (also `job update --rotate-key`).
    static func rotate(_ id: JobID, _ definitions: any JobDefinitions) async throws {
        let rotated = try await refusing { () async throws(JobEditError) in try await definitions.rotateKey(id) }
        print("API Key: \(rotated.apiKey ?? "")")
    }
}
