import CronMetricsCore
import CronMetricsTestSupport
import Foundation
import Glibc
import Testing

/// `cronmetrics run` against the real server, as a crontab line would use it.
@Suite("cronmetrics run", .serialized)
struct RunCommandTests {
    /// A server with one job, `wrap@cron1`, and the environment a cron host sets.
    final class Setup: Sendable {
        let tree: TempDir
        let server: ServerProcess
        let key = "wrap-key-0123456789abcdef0123456789abcdef"
        var environment: [String: String] {
            ["CRONMETRICS_JOB_KEY": key, "CRONMETRICS_SERVER": server.url, "CRONMETRICS_SPOOL": "\(tree.path)/spool"]
        }

        init() async throws {
            tree = try TempDir()
            try tree.write("jobs.d/wrap@cron1.yaml", "version: 1\njob_name: wrap\nhost: cron1\nautomatic_failure_threshold: 1h\n"
                + "api_key_sha256: \(APIKeyHash.sha256Hex(of: key))\n")
            server = try ServerProcess(jobsDir: "\(tree.path)/jobs.d", database: "\(tree.path)/cm.db")
            try await server.waitUntilReady()
        }

        deinit { server.stop() }

        func run(_ command: [String], extra: [String] = []) throws -> CLIRunner.Outcome {
            try CLIRunner.run(["run", "--job", "wrap@cron1"] + extra + ["--"] + command, in: tree.path, environment: environment)
        }

        /// The job's stored results, newest first.
        func results() throws -> [[String: Any]] {
            try HistoryReader.results(server.url, "wrap@cron1")
        }
    }

    @Test("success and failure: stdio passed through, the exit code kept, the result stored with output and duration")
    func successAndFailure() async throws {
        let setup = try await Setup()
        let ok = try setup.run(["sh", "-c", "printf hello; printf warn >&2"])
        #expect(ok.status == 0)
        #expect(ok.stdout == "hello")
        #expect(ok.stderr.contains("warn"))
        let failed = try setup.run(["sh", "-c", "echo broken; exit 3"])
        #expect(failed.status == 3)
        let results = try setup.results()
        #expect(results.map { $0["exit_code"] as? Int } == [3, 0])
        #expect(results.map { $0["status"] as? String } == ["failure", "success"])
        #expect((results[1]["output"] as? String)?.contains("hello") == true)
        #expect(results.allSatisfy { ($0["duration"] as? Double).map { $0 >= 0 && $0 < 5 } == true })
    }

    @Test("--timeout stops the command (TERM) and reports exit 124, like timeout(1)")
    func timeout() async throws {
        let setup = try await Setup()
        let start = ContinuousClock.now
        let outcome = try setup.run(["sleep", "20"], extra: ["--timeout", "1s"])
        #expect(outcome.status == 124)
        #expect(ContinuousClock.now - start < .seconds(8))
        #expect(try setup.results().first?["exit_code"] as? Int == 124)
    }

    @Test("TERM to the wrapper is passed on to the command, whose exit code is reported")
    func signalForwarded() async throws {
        let setup = try await Setup()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CLIRunner.binary)
        process.arguments = ["run", "--job", "wrap@cron1", "--", "sh", "-c", "trap 'exit 42' TERM; while :; do sleep 0.05; done"]
        process.environment = ProcessInfo.processInfo.environment.merging(setup.environment) { $1 }
        try process.run()
        try await Task.sleep(for: .milliseconds(800))
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        #expect(process.terminationStatus == 42)
        #expect(try setup.results().first?["exit_code"] as? Int == 42)
    }

    @Test("output is byte-identical to the command's, binary or closed early")
    func identicalOutput() async throws {
        let setup = try await Setup()
        var bytes = [UInt8](repeating: 0, count: 300_000)
        var generator = SeededRandom(seed: 7)
        for index in bytes.indices { bytes[index] = UInt8.random(in: 0...255, using: &generator) }
        try Data(bytes).write(to: URL(fileURLWithPath: "\(setup.tree.path)/blob"))
        let binary = try setup.run(["cat", "blob"])
        #expect(binary.status == 0)
        #expect(binary.stdoutData == Data(bytes))
        let closed = try setup.run(["sh", "-c", "printf early; exec 1>&-; sleep 0.2; echo after >&2"])
        #expect(closed.status == 0)
        #expect(closed.stdout == "early")
        #expect(closed.stderr.contains("after"))
    }

    @Test("while the server is down results are spooled (0600), then sent first and in order")
    func spool() async throws {
        let setup = try await Setup()
        var environment = setup.environment
        environment["CRONMETRICS_SERVER"] = "http://127.0.0.1:\(ServerProcess.freePort())"
        for index in 1...2 {
            let outcome = try CLIRunner.run(["run", "--job", "wrap@cron1", "--", "sh", "-c", "echo run \(index); exit \(index)"],
                                            in: setup.tree.path, environment: environment)
            #expect(outcome.status == Int32(index), "the command's code, whatever the monitor")
            #expect(outcome.stderr.contains("spooled"))
            try await Task.sleep(for: .seconds(1.1))
        }
        let folder = "\(setup.tree.path)/spool/wrap@cron1"
        let files = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
        #expect(files.count == 2)
        var info = stat()
        stat("\(folder)/\(files[0])", &info)
        #expect(info.st_mode & 0o777 == 0o600)
        #expect(try setup.run(["sh", "-c", "echo run 3"]).status == 0)
        let results = try setup.results()
        #expect(results.map { $0["exit_code"] as? Int } == [0, 2, 1], "newest first: the spooled ones went first, in order")
        let times = results.compactMap { ($0["timestamp"] as? String).flatMap(RFC3339.parse) }
        #expect(times == times.sorted(by: >), "each spooled run keeps its own time")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).isEmpty)
    }
}

/// Reads a job's history through the API with curl.
enum HistoryReader {
    static func results(_ url: String, _ id: String) throws -> [[String: Any]] {
        let curl = Process()
        curl.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        curl.arguments = ["-sf", "-H", "Authorization: Bearer \(ServerProcess.adminKey)", "\(url)/api/job/\(id)/results"]
        let pipe = Pipe()
        curl.standardOutput = pipe
        try curl.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        curl.waitUntilExit()
        let object = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        return object?["results"] as? [[String: Any]] ?? []
    }
}
