import CronMetricsTestSupport
import Foundation

/// The built binary serving a tree on a free port, for CLI tests that need a server.
final class ServerProcess: Sendable {
    static let adminKey = "cli-admin-key"
    let url: String
    private let process: TestProcess

    /// - Parameters:
    ///   - arguments: more arguments for `serve` (`--config FILE`).
    ///   - log: a file for the server's log (standard error); none: dropped.
    init(jobsDir: String, database: String, port: Int = freePort(), environment: [String: String] = [:],
         arguments: [String] = [], log: String? = nil) throws {
        url = "http://127.0.0.1:\(port)"
        process = TestProcess()
        process.executableURL = URL(fileURLWithPath: CLIRunner.binary)
        process.arguments = ["serve", "--jobs-dir", jobsDir, "--database", database, "--listen", "127.0.0.1:\(port)"] + arguments
        process.environment = ProcessInfo.processInfo.environment
            .merging(["CRONMETRICS_SECURITY_ADMIN_API_KEYS": Self.adminKey, "CRONMETRICS_JOBS_WATCH": "off"]) { $1 }
            .merging(environment) { $1 }
        if let log {
            FileManager.default.createFile(atPath: log, contents: nil)
            process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        } else {
            process.standardError = FileHandle.nullDevice
        }
        try process.run()
    }

    var pid: Int32 { process.processIdentifier }

    /// Waits until `/health` answers (up to 30 s).
    func waitUntilReady() async throws {
        for _ in 0..<300 {
            let curl = TestProcess()
            curl.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
            curl.arguments = ["-sf", "-o", "/dev/null", "\(url)/health"]
            try curl.run()
            curl.waitUntilExit()
            if curl.terminationStatus == 0 { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw NotReady()
    }

    struct NotReady: Error {}

    func stop() {
        process.terminate()
        process.waitUntilExit()
    }

    static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
