import CronMetricsTestSupport
import Foundation

/// curl, for what the test clients cannot do: hundreds of requests at once
/// on their own connections, and event streams held open in the background.
enum Curl {
    /// Runs curl with `arguments` on a thread of its own (a blocking wait on
    /// the concurrency pool would starve the server under test); its
    /// standard output.
    @discardableResult
    static func run(_ arguments: [String]) async throws -> String {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try runBlocking(arguments) }) }.start()
        }
    }

    private static func runBlocking(_ arguments: [String]) throws -> String {
        let process = TestProcess()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    /// `count` copies of one request sent at once (`curl --parallel`, each on
    /// its own connection): how many got each status.
    static func parallel(_ count: Int, url: String, arguments: [String]) async throws -> [Int: Int] {
        var all = ["-s", "-Z", "--parallel-max", "\(count)", "--parallel-immediate"]
        for _ in 0..<count {
            all += arguments + ["-o", "/dev/null", "-w", "%{http_code}\\n", url, "--next"]
        }
        let output = try await run(Array(all.dropLast()))
        return output.split(separator: "\n").reduce(into: [:]) { $0[Int($1) ?? -1, default: 0] += 1 }
    }

    /// An event stream held open by a curl in the background.
    final class Stream: Sendable {
        let process: TestProcess
        let statusFile: String

        /// - Parameter cookie: the session cookie (`name=value`).
        init(_ url: String, cookie: String, folder: String) throws {
            statusFile = "\(folder)/stream-\(UUID().uuidString)"
            process = TestProcess()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
            process.arguments = ["-s", "-N", "-b", cookie, "-o", "/dev/null", "-w", "%{http_code}", url]
            process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: Self.created(statusFile)))
            try process.run()
        }

        private static func created(_ path: String) -> String {
            FileManager.default.createFile(atPath: path, contents: nil)
            return path
        }

        /// The status once curl ended (the server closed the stream or refused it).
        var finished: Int? {
            guard !process.isRunning else { return nil }
            return Int((try? String(contentsOfFile: statusFile, encoding: .utf8)) ?? "")
        }

        /// Waits up to `seconds` for curl to end; its status then.
        func end(within seconds: Double) async throws -> Int? {
            let start = ContinuousClock.now
            while process.isRunning, ContinuousClock.now - start < .seconds(seconds) {
                try await Task.sleep(for: .milliseconds(50))
            }
            return finished
        }

        deinit {
            if process.isRunning { process.terminate() }
        }
    }
}
