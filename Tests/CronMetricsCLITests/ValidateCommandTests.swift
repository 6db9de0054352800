import CronMetricsTestSupport
import Foundation
import Testing

@Suite("cronmetrics validate")
struct ValidateCommandTests {
    static let good = "version: 1\njob_name: backup\nhost: db1\nautomatic_failure_threshold: 3600\napi_key_sha256: 5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8\n"

    @Test("the bundled jobs.d is valid: exit 0")
    func bundledTree() throws {
        let outcome = try CLIRunner.run(["validate", "jobs.d"])
        #expect(outcome.status == 0, "\(outcome.stdout)\(outcome.stderr)")
        // Not pinned to 4 jobs: the README's walkthrough adds one to the bundled tree.
        #expect(outcome.stdout.range(of: #"^jobs\.d: \d+ jobs in \d+ files, 0 errors, 0 warnings$"#, options: .regularExpression) != nil, "\(outcome.stdout)")
    }

    @Test("an unknown key exits 1 naming file:line:column")
    func unknownKey() throws {
        let tree = try TempDir()
        try tree.write("jobs.d/ok.yaml", Self.good)
        try tree.write("jobs.d/infra/bad.yaml", "version: 1\njob_name: x\nhost: db1\nautomatic_failure_threshold: 60\nthreshhold: 5\n")
        let outcome = try CLIRunner.run(["validate", "jobs.d"], in: tree.path)
        #expect(outcome.status == 1)
        let lines = outcome.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("jobs.d/infra/bad.yaml:5:1: unknown key 'threshhold'") == true, "\(lines)")
        #expect(lines.last == "jobs.d: 1 job in 2 files, 1 error, 0 warnings")
        #expect(lines.count == 2)
    }

    @Test("a key hash shared by several files: valid, with a warning on each naming the others and why ping URLs fail")
    func sharedKey() throws {
        let tree = try TempDir()
        let hash = "5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8"
        try tree.write("jobs.d/a.yaml", Self.good)
        try tree.write("jobs.d/infra/b.yaml", "version: 1\njob_name: other\nhost: db1\nautomatic_failure_threshold: 60\napi_key_sha256: \(hash)\n")
        try tree.write("jobs.d/c.yaml", "version: 1\njob_name: third\nhost: db2\napi_key_sha256: \(hash)\nautomatic_failure_threshold: 60\n")
        try tree.write("jobs.d/own.yaml", "version: 1\njob_name: own\nhost: db2\nautomatic_failure_threshold: 60\napi_key_sha256: \(String(repeating: "a", count: 64))\n")
        let outcome = try CLIRunner.run(["validate", "jobs.d"], in: tree.path)
        #expect(outcome.status == 0, "a warning, not an error")
        let why = ": ping URLs cannot be used with a key shared by several jobs (they answer 409); JSON submissions, which name the job, work. "
            + "Give each job its own key (cronmetrics job rotate-key ID)"
        #expect(outcome.stdout.split(separator: "\n").map(String.init) == [
            "jobs.d/a.yaml:5:17: warning: the same api_key_sha256 as jobs.d/c.yaml:4:17, jobs.d/infra/b.yaml:5:17" + why,
            "jobs.d/c.yaml:4:17: warning: the same api_key_sha256 as jobs.d/a.yaml:5:17, jobs.d/infra/b.yaml:5:17" + why,
            "jobs.d/infra/b.yaml:5:17: warning: the same api_key_sha256 as jobs.d/a.yaml:5:17, jobs.d/c.yaml:4:17" + why,
            "jobs.d: 4 jobs in 4 files, 0 errors, 3 warnings",
        ])
    }

    @Test("--format github prints workflow annotations")
    func github() throws {
        let tree = try TempDir()
        try tree.write("jobs.d/bad.yaml", "version: 1\njob_name: x\nhost: db1\nautomatic_failure_threshold: 90x\n")
        let outcome = try CLIRunner.run(["validate", "jobs.d", "--format", "github"], in: tree.path)
        #expect(outcome.status == 1)
        #expect(outcome.stdout.hasPrefix("::error file=jobs.d/bad.yaml,line=4,col=30::'automatic_failure_threshold' is not a valid duration (got \"90x\")"))
        #expect(outcome.stdout.contains("::warning file=jobs.d/bad.yaml,line=1,col=1::") == false)
    }

    @Test("--format json is a machine-readable report")
    func json() throws {
        let tree = try TempDir()
        try tree.write("jobs.d/bad.yaml", "version: 1\njob_name: x\nhost: db1\nautomatic_failure_threshold: 60\nstatus: off\n")
        try tree.write("jobs.d/ok.yaml", Self.good)
        let outcome = try CLIRunner.run(["validate", "--format", "json", "jobs.d"], in: tree.path)
        #expect(outcome.status == 1)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any])
        #expect(report["valid"] as? Bool == false)
        #expect(report["files"] as? Int == 2)
        let errors = try #require(report["errors"] as? [[String: Any]])
        #expect(errors.count == 1)
        #expect(errors.first?["path"] as? String == "jobs.d/bad.yaml")
        #expect(errors.first?["line"] as? Int == 5)
        #expect(errors.first?["column"] as? Int == 9)
        #expect(errors.first?["field"] as? String == "status")
    }

    @Test("usage errors exit 2")
    func usage() throws {
        let outcome = try CLIRunner.run(["validate", "--format", "xml"])
        #expect(outcome.status == 2)
        #expect(outcome.stderr.contains("--format"))
        #expect(try CLIRunner.run(["nosuchcommand"]).status == 2)
    }

    @Test("a missing directory exits 1 with a clear message")
    func missingDirectory() throws {
        let outcome = try CLIRunner.run(["validate", "/nonexistent/jobs.d"])
        #expect(outcome.status == 1)
        #expect(outcome.stderr.contains("jobs directory /nonexistent/jobs.d does not exist"))
    }
}
