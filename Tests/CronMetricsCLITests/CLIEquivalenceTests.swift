import CronMetricsTestSupport
import Foundation
import Testing

/// Every job command prints the same, and leaves the same files, whether it
/// edits a checkout or goes through a server (`--server`).
@Suite("Job commands: a checkout and --server agree")
struct CLIEquivalenceTests {
    /// The table: each line runs in both modes, in order, on twin trees.
    static let commands: [[String]] = [
        ["job", "list"],
        ["job", "add", "--name", "backup", "--host", "db1", "--threshold", "600", "--label", "env=prod", "--description", "Nightly"],
        ["job", "add", "--name", "report", "--host", "web1", "--threshold", "1h30m", "--api-key", String(repeating: "k", count: 40)],
        ["job", "add", "--name", "backup", "--host", "db1", "--threshold", "60"],
        ["job", "add", "--name", "short", "--host", "db1", "--threshold", "60", "--api-key", "too-short"],
        ["job", "add", "--name", "bad", "--host", "db1", "--threshold", "90x"],
        ["job", "list"],
        ["job", "list", "--output", "json"],
        ["job", "list", "--label", "env=prod"],
        ["job", "list", "--status", "paused"],
        ["job", "list", "--host", "web1", "--show-api-keys"],
        ["job", "show", "backup@db1"],
        ["job", "show", "backup@db1", "--output", "json"],
        ["job", "show", "nope@db1"],
        ["job", "update", "backup@db1", "--maintenance", "--maintenance-until", "2026-12-01T06:00:00Z"],
        ["job", "update", "backup@db1", "--threshold", "2h", "--label", "team=infra", "--remove-label", "env"],
        ["job", "update", "backup@db1", "--threshold", "3651d"],
        ["job", "update", "backup@db1", "--paused"],
        ["job", "list", "--status", "paused"],
        ["job", "update", "backup@db1", "--active"],
        ["job", "update", "backup@db1", "--slo", "99.5%", "--duration-histogram", "true"],
        ["job", "update", "backup@db1", "--slo-window", "7d"],
        ["job", "update", "backup@db1", "--slo", "100%"],
        ["job", "update", "backup@db1", "--maintenance-window", "0 1 * * 0;3h;Europe/Berlin", "--alert-after", "2", "--depends-on", "existing@db2"],
        ["job", "update", "existing@db2", "--depends-on", "backup@db1"],
        ["job", "update", "backup@db1", "--depends-on", "nobody@db2"],
        ["job", "update", "backup@db1", "--alert-after", "0"],
        ["job", "update", "backup@db1", "--escalate", "1h"],
        ["job", "show", "backup@db1"],
        ["job", "update", "backup@db1", "--maintenance-window", "", "--depends-on", ""],
        ["job", "show", "backup@db1"],
        ["job", "rotate-key", "report@web1"],
        ["job", "delete", "report@web1"],
        ["job", "delete", "report@web1"],
        ["job", "list", "--output", "json"],
    ]

    @Test("the same command table gives the same output, exit codes and files")
    func sameOutput() async throws {
        let local = try TempDir(), remote = try TempDir()
        for tree in [local, remote] {
            try tree.write("jobs.d/infra/existing@db2.yaml", "version: 1\njob_name: existing\nhost: db2\nautomatic_failure_threshold: 300\nstatus: paused\n")
        }
        let server = try ServerProcess(jobsDir: "\(remote.path)/jobs.d", database: "\(remote.path)/cm.db")
        defer { server.stop() }
        try await server.waitUntilReady()
        for command in Self.commands {
            let here = try CLIRunner.run(command + ["--jobs-dir", "\(local.path)/jobs.d"])
            let there = try CLIRunner.run(command + ["--server", server.url], environment: ["CRONMETRICS_ADMIN_KEY": ServerProcess.adminKey])
            #expect(here.status == there.status, "\(command): exit \(here.status) here, \(there.status) through the server: \(there.stderr)")
            #expect(Self.masked(here.stdout) == Self.masked(there.stdout), "\(command)")
            #expect(Self.masked(here.stderr) == Self.masked(there.stderr), "\(command)")
        }
        #expect(try Self.files(local) == Self.files(remote))
        #expect(try Self.files(local).keys.sorted() == ["backup@db1.yaml", "infra/existing@db2.yaml"])
    }

    /// Output with generated keys and their hashes replaced.
    static func masked(_ text: String) -> String {
        // Tree errors name files by their path, which differs between the two temp trees.
        text.replacing(/cm_[a-z2-7]{52}/, with: "cm_KEY").replacing(/[0-9a-f]{64}/, with: "HASH")
            .replacing(/\/tmp\/cronmetrics-test-[0-9A-F-]+\//, with: "TMP/")
    }

    static func files(_ tree: TempDir) throws -> [String: String] {
        let root = "\(tree.path)/jobs.d"
        var files: [String: String] = [:]
        for path in FileManager.default.enumerator(atPath: root)?.compactMap({ $0 as? String }) ?? [] where path.hasSuffix(".yaml") {
            files[path] = masked(try String(contentsOfFile: "\(root)/\(path)", encoding: .utf8))
        }
        return files
    }
}
