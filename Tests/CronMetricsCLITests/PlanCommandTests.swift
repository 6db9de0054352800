import CronMetricsCore
import CronMetricsTestSupport
import Foundation
import Testing

/// `cronmetrics plan` (SPEC §17) against the built binary serving a fixture
/// tree: each warning in the exact text and markdown expected, and the exit
/// codes; `--save-basis` then `--basis` plans the same without the server.
@Suite("cronmetrics plan")
struct PlanCommandTests {
    static let fixtures = "\(CLIRunner.packageRoot)/Tests/CronMetricsCLITests/Fixtures/plan"
    static let reader = "plan-reader-key"

    /// A copy of a fixture's `jobs.d` (the plan reads `jobs.d` relative to it).
    static func copy(_ name: String, into dir: TempDir) throws -> String {
        let target = "\(dir.path)/\(name)"
        try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: "\(fixtures)/\(name)/jobs.d", toPath: "\(target)/jobs.d")
        return target
    }

    /// The output with the server's address and the basis time made fixed.
    static func normalized(_ text: String, server: String) -> String {
        text.replacingOccurrences(of: server, with: "<SERVER>")
            .replacing(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/, with: "<TIME>")
    }

    /// The built binary, off the concurrency pool.
    static func cli(_ arguments: [String], in directory: String = CLIRunner.packageRoot,
                    environment: [String: String] = [:]) async throws -> CLIRunner.Outcome {
        try await offPool { try CLIRunner.run(arguments, in: directory, environment: environment) }
    }

    @Test("every warning against a live server, in text and markdown exactly; exit 3; the same from a saved basis; 0, 1 and 2")
    func againstAServer() async throws {
        let dir = try TempDir()
        let (served, checkout, invalid) = (try Self.copy("server", into: dir), try Self.copy("checkout", into: dir), try Self.copy("invalid", into: dir))
        let server = try ServerProcess(jobsDir: "\(served)/jobs.d", database: "\(dir.path)/db",
                                       environment: ["CRONMETRICS_SECURITY_READ_API_KEYS": "reader:\(Self.reader)"],
                                       arguments: ["--config", "\(Self.fixtures)/server/cronmetrics.yaml"])
        defer { server.stop() }
        try await server.waitUntilReady()
        // failing@db1 fails now; running@db1 has a run open.
        let url = server.url
        try await offPool {
            try StatsCommandTests.submit(url, #"{"job_name":"failing","host":"db1","status":"failure"}"#, key: "key-failing")
            try StatsCommandTests.submit(url, #"{"job_name":"running","host":"db1"}"#, key: "key-running", path: "/api/job-start")
        }
        // late@web1's new threshold (1s) has passed since the server first saw it
        // (the basis has whole seconds: 2.5 s make it 2 s at least).
        try await Task.sleep(for: .milliseconds(2_500))
        let reader = ["CRONMETRICS_ADMIN_KEY": Self.reader]

        for (format, file) in [("text", "expected.txt"), ("markdown", "expected.md")] {
            let plan = try await Self.cli(["plan", "--server", server.url, "--format", format], in: checkout, environment: reader)
            #expect(plan.status == 3, "warnings: exit 3; \(plan.stderr)")
            let expected = try String(contentsOfFile: "\(Self.fixtures)/\(file)", encoding: .utf8)
            #expect(Self.normalized(plan.stdout, server: server.url) == expected, "\(format):\n\(plan.stdout)")
        }
        let json = try await Self.cli(["plan", "--server", server.url, "--format", "json"], in: checkout, environment: reader)
        #expect(json.status == 3)
        let decoded = try APICoding.decoder.decode(JobPlan.self, from: Data(json.stdout.utf8))
        #expect(decoded.warnings.map(\.kind) == ["late-at-once", "unknown-channel", "no-key", "renames-series", "removes-failing", "removes-running"])
        let rekey = decoded.changes.first { $0.job == "rekey@web1" }?.fields
        #expect(rekey?.map(\.field) == ["api_key_sha256"] && rekey?.first?.secret == true && rekey?.first?.before == nil && rekey?.first?.after == nil,
                "the key hash only as changed")

        // A saved basis gives the same plan without the server.
        let saved = try await Self.cli(["plan", "--save-basis", "\(dir.path)/basis.json", "--server", server.url], environment: reader)
        #expect(saved.status == 0 && saved.stdout == "Saved the basis of 8 jobs from \(server.url) to \(dir.path)/basis.json\n", "\(saved.stderr)")
        let basisText = try String(contentsOfFile: "\(dir.path)/basis.json", encoding: .utf8)
        let hashes = ["keep", "late", "failing", "running", "rekey", "relabel", "pager", "moved"].map { APIKeyHash.sha256Hex(of: "key-\($0)") }
        #expect(hashes.allSatisfy { !basisText.contains($0) } && basisText.contains("key_fingerprint"),
                "the basis holds salted key fingerprints, never a key's hash")
        let offline = try await Self.cli(["plan", "--basis", "\(dir.path)/basis.json"], in: checkout)
        #expect(offline.status == 3)
        let online = try String(contentsOfFile: "\(Self.fixtures)/expected.txt", encoding: .utf8)
        #expect(Self.normalized(offline.stdout, server: "\(dir.path)/basis.json") == online)

        // No changes: 0. The tree invalid: 1, with validate's errors. Usage: 2. A wrong key: 1.
        let same = try await Self.cli(["plan", "--basis", "\(dir.path)/basis.json"], in: served)
        #expect(same.status == 0 && Self.normalized(same.stdout, server: "\(dir.path)/basis.json")
                == "Plan for jobs.d against <SERVER> (as of <TIME>): no changes, 0 warnings\n", "\(same.stdout)")
        let broken = try await Self.cli(["plan", "--server", server.url], in: invalid, environment: reader)
        #expect(broken.status == 1)
        #expect(broken.stdout == "jobs.d/keep@web1.yaml:5:13: depends_on names job 'failing@db1', which is not in the tree\njobs.d: 1 error; no plan\n",
                "\(broken.stdout)")
        let usage = try await Self.cli(["plan"], in: checkout)
        #expect(usage.status == 2 && usage.stderr.contains("give exactly one of --server URL and --basis FILE"))
        #expect(try await Self.cli(["plan", "--save-basis", "x.json", "--basis", "y.json"], in: checkout).status == 2)
        let refused = try await Self.cli(["plan", "--server", server.url], in: checkout, environment: ["CRONMETRICS_ADMIN_KEY": "wrong"])
        #expect(refused.status == 1 && refused.stderr.contains("answered 401"), "\(refused.stderr)")
    }
}
