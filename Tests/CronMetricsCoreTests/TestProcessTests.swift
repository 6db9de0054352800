import CronMetricsTestSupport
import Foundation
import Glibc
import Testing

/// The tests' child processes (`TestProcess`) with more than 1,024
/// descriptors open in the test process, as the full test run has at its
/// peak: Foundation's `Process` crashed or hung there.
@Suite("test support: child processes with 1,100 descriptors open")
struct TestProcessTests {
    @Test("started, read and reaped with descriptors above 1,024 open; only stdio reaches the child")
    func manyDescriptors() async throws {
        // A soft limit of 1,024 (a common default) would refuse the descriptors.
        var limit = rlimit()
        getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
        if limit.rlim_cur < 4_096 {
            limit.rlim_cur = min(limit.rlim_max, 4_096)
            setrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
        }
        let opened = (0..<1_100).map { _ in open("/dev/null", O_RDONLY) }
        defer { opened.forEach { close($0) } }
        #expect(opened.allSatisfy { $0 >= 0 })
        #expect(opened.max()! > 1_024)
        let listings = try await offPool {
            try (0..<20).map { _ in
                let process = TestProcess()
                process.executableURL = URL(fileURLWithPath: "/bin/ls")
                process.arguments = ["/proc/self/fd"]
                let pipe = Pipe()
                process.standardOutput = pipe
                try process.run()
                let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                process.waitUntilExit()
                #expect(process.terminationStatus == 0)
                #expect(process.terminationReason == .exit)
                return output.split(separator: "\n").map(String.init)
            }
        }
        // 0, 1 and 2, and the directory ls itself opened: nothing inherited.
        #expect(listings == Array(repeating: ["0", "1", "2", "3"], count: 20))
    }

    @Test("working directory, environment, stdin from FileHandle.nullDevice, and a command that cannot start")
    func settings() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("test-process-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let process = TestProcess()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", #"pwd; echo "$ONLY"; echo "${HOME:-unset}"; cat; echo end"#]
        process.environment = ["ONLY": "this"]
        process.currentDirectoryURL = directory
        process.standardInput = FileHandle.nullDevice
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        try await offPool { process.waitUntilExit() }
        // `cat` reads /dev/null, not the test runner's stdin: it ends at once.
        #expect(output == "\(directory.resolvingSymlinksInPath().path)\nthis\nunset\nend\n")
        #expect(process.terminationStatus == 0)

        let missing = TestProcess()
        missing.executableURL = URL(fileURLWithPath: "/nonexistent/command")
        #expect(throws: TestProcess.SpawnFailure.self) { try missing.run() }
    }

    @Test("a signal's end is reported as the signal, and isRunning turns false")
    func signalled() async throws {
        let process = TestProcess()
        process.executableURL = URL(fileURLWithPath: "/bin/sleep")
        process.arguments = ["30"]
        try process.run()
        #expect(process.isRunning)
        process.terminate()
        try await offPool { process.waitUntilExit() }
        #expect(!process.isRunning)
        #expect(process.terminationReason == .uncaughtSignal)
        #expect(process.terminationStatus == SIGTERM)
    }
}
