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

    @Test("--timeout reaches the whole process group: a shell's children and background jobs stop with it",
          arguments: [["bash", "-c", "sleep 20.0417; echo done"], ["sh", "-c", "sleep 25.0417 & sleep 600.0417"]])
    func timeoutStopsTheGroup(command: [String]) async throws {
        let setup = try await Setup()
        let start = ContinuousClock.now
        let outcome = try setup.run(command, extra: ["--timeout", "1s"])
        #expect(outcome.status == 124)
        #expect(ContinuousClock.now - start < .seconds(8))
        #expect(!outcome.stdout.contains("done"))
        #expect(try setup.results().first?["exit_code"] as? Int == 124)
        // The sleeps carry odd lengths, so the test finds them by name.
        #expect(Self.running("sleep 20.0417") + Self.running("sleep 25.0417") + Self.running("sleep 600.0417") == [],
                "TERM went to the shell only; its children live on")
    }

    /// Processes (not zombies) whose command line is `command`.
    static func running(_ command: String) -> [pid_t] {
        let pids = ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { pid_t($0) }
        return pids.filter { pid in
            guard let line = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
            return String(decoding: line, as: UTF8.self).replacingOccurrences(of: "\0", with: " ") == command + " " && alive(pid)
        }
    }

    @Test("a process that left the group and holds the output pipes does not keep the wrapper waiting")
    func orphanHoldingThePipes() async throws {
        let setup = try await Setup()
        let start = ContinuousClock.now
        // setsid: a group of its own, out of reach of the timeout's signals.
        let outcome = try setup.run(["sh", "-c", "echo before; setsid sleep 30 & sleep 600"], extra: ["--timeout", "1s"])
        #expect(outcome.status == 124)
        #expect(ContinuousClock.now - start < .seconds(8), "the wrapper waited for the orphan's pipe")
        #expect(outcome.stdout.contains("before"))
        let ended = try setup.run(["sh", "-c", "echo finished; setsid sleep 30 &"])
        #expect(ended.status == 0)
        #expect(ended.stdout == "finished\n")
        #expect(ContinuousClock.now - start < .seconds(14), "a command that ended is reported without waiting for the orphan")
    }

    @Test("the job's key is not in the command's environment (its output is stored)")
    func keyNotPassedOn() async throws {
        let setup = try await Setup()
        let outcome = try setup.run(["sh", "-c", "echo \"key=[$CRONMETRICS_JOB_KEY]\"; env"])
        #expect(outcome.status == 0)
        #expect(outcome.stdout.hasPrefix("key=[]\n"))
        #expect(!outcome.stdout.contains(setup.key))
        #expect(outcome.stdout.contains("CRONMETRICS_SERVER="), "the rest of the environment is passed on")
        let output = try setup.results().first?["output"] as? String
        #expect(output?.contains("key=[]") == true)
        #expect(output?.contains(setup.key) == false)
    }

    @Test("TERM to the wrapper is passed on to the command, whose exit code is reported")
    func signalForwarded() async throws {
        let setup = try await Setup()
        let process = TestProcess()
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

    @Test("a forwarded signal reaches what the command started in the background too")
    func signalForwardedToTheGroup() async throws {
        let setup = try await Setup()
        let pidFile = "\(setup.tree.path)/background.pid"
        let process = TestProcess()
        process.executableURL = URL(fileURLWithPath: CLIRunner.binary)
        process.arguments = ["run", "--job", "wrap@cron1", "--", "sh", "-c", "sleep 600 & echo $! > \(pidFile); wait"]
        process.environment = ProcessInfo.processInfo.environment.merging(setup.environment) { $1 }
        try process.run()
        var background: pid_t = 0
        for _ in 0..<100 where background == 0 {
            try await Task.sleep(for: .milliseconds(50))
            background = (try? String(contentsOfFile: pidFile, encoding: .utf8)).flatMap { pid_t($0.trimmingCharacters(in: .whitespacesAndNewlines)) } ?? 0
        }
        #expect(background > 0)
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        #expect(process.terminationStatus == 128 + SIGTERM)
        var gone = false
        for _ in 0..<100 where !gone {
            gone = !Self.alive(background)
            if !gone { try await Task.sleep(for: .milliseconds(50)) }
        }
        #expect(gone, "the background sleep \(background) outlived the TERM sent to the wrapper")
    }

    /// Whether `pid` runs (a zombie waiting for its new parent counts as gone).
    static func alive(_ pid: pid_t) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return false }
        return !stat[stat.index(close, offsetBy: 2)...].hasPrefix("Z")
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
        // The results, beside the folder's lock file (`.lock`).
        func spooled() throws -> [String] { try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".json") }.sorted() }
        let files = try spooled()
        #expect(files.count == 2)
        var info = stat()
        stat("\(folder)/\(files[0])", &info)
        #expect(info.st_mode & 0o777 == 0o600)
        #expect(try setup.run(["sh", "-c", "echo run 3"]).status == 0)
        let results = try setup.results()
        #expect(results.map { $0["exit_code"] as? Int } == [0, 2, 1], "newest first: the spooled ones went first, in order")
        let times = results.compactMap { ($0["timestamp"] as? String).flatMap(RFC3339.parse) }
        #expect(times.count == 3, "every result has its timestamp")
        #expect(zip(times, times.dropFirst()).allSatisfy { $0.timeIntervalSince($1) >= 1 },
                "each spooled run keeps its own time, a second apart: \(times)")
        #expect(try spooled().isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == [".lock"])
    }

    @Test("two runs that start together send a spooled result once")
    func spoolSentOnce() async throws {
        let setup = try await Setup()
        var down = setup.environment
        down["CRONMETRICS_SERVER"] = "http://127.0.0.1:\(ServerProcess.freePort())"
        let spooled = try CLIRunner.run(["run", "--job", "wrap@cron1", "--", "sh", "-c", "exit 7"], in: setup.tree.path, environment: down)
        #expect(spooled.status == 7 && spooled.stderr.contains("spooled"))
        let outcomes = try await withThrowingTaskGroup(of: CLIRunner.Outcome.self) { group in
            for _ in 0..<2 {
                group.addTask { try setup.run(["true"]) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(outcomes.map(\.status) == [0, 0])
        let results = try setup.results()
        #expect(results.map { $0["exit_code"] as? Int }.sorted { ($0 ?? -1) < ($1 ?? -1) } == [0, 0, 7], "the spooled run once, each new run once")
        #expect(Set(results.compactMap { $0["run_id"] as? String }).count == 3)
    }
}

/// Reads a job's history through the API with curl.
enum HistoryReader {
    static func results(_ url: String, _ id: String) throws -> [[String: Any]] {
        let curl = TestProcess()
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
