import ArgumentParser

/// `cronmetrics serve`: runs the HTTP server.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Run the cronmetrics server.")

    @Option(help: "The jobs directory.")
    var jobsDir: String = "./jobs.d"

    func run() async throws {
        printError("cronmetrics serve: not yet implemented")
        throw ExitCode.failure
    }
}
