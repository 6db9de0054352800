import ArgumentParser

/// `cronmetrics import …`: job definitions from another tool.
struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import", abstract: "Write job files from another tool's database.",
        subcommands: [ImportCronExporterCommand.self])
}
