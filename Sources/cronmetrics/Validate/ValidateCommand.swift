import ArgumentParser
import CronMetricsCore
import Foundation

/// `cronmetrics validate [DIR]`: checks a jobs tree without a server.
struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check every job file in a jobs directory; exit 1 on any error.",
        discussion: "Run it in CI on every pull request that touches jobs.d (--format github annotates the diff).")

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, json, github
    }

    @Argument(help: "The jobs directory.")
    var directory: String = "jobs.d"

    @Option(help: "Output format: text, json or github.")
    var format: Format = .text

    @Option(help: "Also check that each job's notify names a channel of this configuration file.")
    var config: String?

    func run() throws {
        var channels: Set<String>?
        if let config {
            channels = try Settings.load(configFile: config).channelNames
        }
        var loader = JobTreeLoader(root: directory, channels: channels)
        let load: TreeLoad
        do {
            load = try loader.load()
        } catch {
            switch format {
            case .github: print("::error::\(GitHubAnnotation.escapeMessage(error.description))")
            case .json: print(ValidationReport(error: error.description).json())
            case .text: printError("error: \(error)")
            }
            throw ExitCode.failure
        }
        let summary = [
            plural(load.jobCount, "job"), " in ", plural(load.fileCount, "file"), ", ",
            plural(load.errors.count, "error"), ", ", plural(load.warnings.count, "warning"),
        ].joined()
        switch format {
        case .text:
            for diagnostic in load.diagnostics { print(diagnostic) }
            print("\(directory): \(summary)")
        case .github:
            for diagnostic in load.diagnostics { print(GitHubAnnotation.line(for: diagnostic)) }
            print("\(directory): \(summary)")
        case .json:
            print(ValidationReport(load: load).json())
        }
        if load.catalog == nil {
            throw ExitCode.failure
        }
    }
}
