import ArgumentParser
import Foundation

/// `cronmetrics config validate FILE`.
struct ConfigValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate", abstract: "Check a configuration file; exit 1 on any error.")

    @Argument(help: "The configuration file.") var file: String

    func run() throws {
        guard FileManager.default.fileExists(atPath: file) else {
            printError("error: \(file) does not exist")
            throw ExitCode.failure
        }
        _ = try Settings.server(try Settings.load(configFile: file))
        print("\(file): valid")
    }
}
