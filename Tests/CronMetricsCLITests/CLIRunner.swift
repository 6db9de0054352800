import CronMetricsTestSupport
import Foundation

/// Runs the built `cronmetrics` binary as a user would.
struct CLIRunner {
    struct Outcome {
        var status: Int32
        var stdout: String
        var stderr: String
        /// Standard output as bytes.
        var stdoutData = Data()
    }

    /// The binary beside the test bundle (`swift test` builds it), or `$CRONMETRICS_BIN`.
    static var binary: String {
        if let path = ProcessInfo.processInfo.environment["CRONMETRICS_BIN"] { return path }
        let productsDir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let candidates = [productsDir, productsDir.deletingLastPathComponent()]
            .map { $0.appendingPathComponent("cronmetrics").path }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates[0]
    }

    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path

    static func run(_ arguments: [String], in directory: String = packageRoot, environment: [String: String] = [:],
                    input: String? = nil) throws -> Outcome {
        let process = TestProcess()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        var env = ProcessInfo.processInfo.environment
        env.merge(environment) { $1 }
        process.environment = env
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let stdin = Pipe()
        if input != nil { process.standardInput = stdin }
        try process.run()
        if let input {
            stdin.fileHandleForWriting.write(Data(input.utf8))
            try stdin.fileHandleForWriting.close()
        }
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Outcome(status: process.terminationStatus,
                       stdout: String(decoding: stdout, as: UTF8.self),
                       stderr: String(decoding: stderr, as: UTF8.self), stdoutData: stdout)
    }
}
