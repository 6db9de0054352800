import ArgumentParser

/// `cronmetrics job …`: job definitions, in a `jobs.d` checkout or through a server.
struct JobCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "job", abstract: "Add, list, show, update and delete jobs (their files in jobs.d).",
        discussion: "Run these in your git checkout and commit the result, or pass --server to go through a server's API.",
        subcommands: [JobAddCommand.self, JobListCommand.self, JobShowCommand.self, JobUpdateCommand.self,
                      JobDeleteCommand.self, JobRotateKeyCommand.self])
}
