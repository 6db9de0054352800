import CronMetricsCore
import CronMetricsTestSupport
import Foundation
import Testing

@Suite("cronmetrics job and config")
struct JobCommandTests {
    @Test("the seed's CLI examples run as written, on a temp tree")
    func seedExamples() throws {
        let tree = try TempDir()
        try FileManager.default.createDirectory(atPath: "\(tree.path)/jobs.d", withIntermediateDirectories: true)
        func run(_ line: String) throws -> CLIRunner.Outcome {
            try CLIRunner.run(line.split(separator: " ").map(String.init).dropFirst().map { $0 }, in: tree.path)
        }
        let add = try run("cronmetrics job add --name backup --host db1 --threshold 600 --label env=prod")
        #expect(add.status == 0, "\(add.stderr)")
        #expect(add.stdout.contains("Job ID backup@db1 created successfully"))
        let key = try #require(add.stdout.split(separator: "\n").first { $0.hasPrefix("API Key: cm_") }).dropFirst("API Key: ".count)
        #expect(key.count == 55)
        let file = try String(contentsOfFile: "\(tree.path)/jobs.d/backup@db1.yaml", encoding: .utf8)
        #expect(file.contains("api_key_sha256: \(APIKeyHash.sha256Hex(of: String(key)))"))
        #expect(!file.contains(String(key)))

        let list = try run("cronmetrics job list --label env=prod --show-api-keys")
        #expect(list.status == 0)
        #expect(list.stdout.contains("backup@db1  active"))
        #expect(list.stdout.contains("only their SHA-256 hashes"))
        #expect(!list.stdout.contains(String(key)))

        let show = try run("cronmetrics job show backup@db1")
        #expect(show.status == 0)
        #expect(show.stdout.contains("automatic_failure_threshold: 600\n"))

        #expect(try run("cronmetrics job update backup@db1 --maintenance").status == 0)
        #expect(try String(contentsOfFile: "\(tree.path)/jobs.d/backup@db1.yaml", encoding: .utf8).contains("status: maintenance\n"))
        #expect(try run("cronmetrics job update backup@db1 --active").status == 0)
        #expect(try run("cronmetrics job update backup@db1 --threshold 1h").status == 0)
        #expect(try String(contentsOfFile: "\(tree.path)/jobs.d/backup@db1.yaml", encoding: .utf8).contains("automatic_failure_threshold: 1h\n"))
        let rotated = try run("cronmetrics job update backup@db1 --rotate-key")
        #expect(rotated.status == 0)
        #expect(rotated.stdout.contains("API Key: cm_"))
        #expect(!rotated.stdout.contains(String(key)))

        let config = try run("cronmetrics config show")
        #expect(config.status == 0)
        #expect(config.stdout.range(of: #"(?m)^server\.listen +127\.0\.0\.1:8080 +default$"#, options: .regularExpression) != nil, "\(config.stdout)")

        #expect(try run("cronmetrics validate jobs.d").status == 0)
        #expect(try run("cronmetrics job delete backup@db1").status == 0)
        #expect(!FileManager.default.fileExists(atPath: "\(tree.path)/jobs.d/backup@db1.yaml"))
        #expect(try run("cronmetrics job show backup@db1").status == 1)
        #expect(try run("cronmetrics job delete backup@db1").status == 1)
    }

    @Test("list aligns a table, and --output json is machine-readable")
    func listFormats() throws {
        let tree = try TempDir()
        try tree.write("jobs.d/a@h1.yaml", "version: 1\njob_name: a\nhost: h1\nautomatic_failure_threshold: 90m\nlabels: {env: prod}\n")
        try tree.write("jobs.d/deep/longer-name@h2.yaml", "version: 1\njob_name: longer-name\nhost: h2\nautomatic_failure_threshold: 60\nstatus: paused\n")
        let table = try CLIRunner.run(["job", "list"], in: tree.path)
        let lines = table.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 3)
        #expect(lines.map { $0.range(of: "STATUS")?.lowerBound.utf16Offset(in: $0) ?? $0.range(of: "active")?.lowerBound.utf16Offset(in: $0) ?? $0.range(of: "paused")?.lowerBound.utf16Offset(in: $0) }
            .allSatisfy { $0 == 16 })
        let json = try CLIRunner.run(["job", "list", "--output", "json", "--status", "paused"], in: tree.path)
        let jobs = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        #expect(jobs.map { $0["id"] as? String } == ["longer-name@h2"])
        #expect(jobs.first?["path"] as? String == "deep/longer-name@h2.yaml")
        #expect(jobs.first?["automatic_failure_threshold"] as? Int == 60)
    }

    @Test("--slo, --slo-window and --duration-histogram write, merge and remove the job's SLO and options")
    func objectiveFlags() throws {
        let tree = try TempDir()
        try tree.write("jobs.d/a@h1.yaml", "version: 1\njob_name: a\nhost: h1\nautomatic_failure_threshold: 60\n")
        func update(_ flags: [String]) throws -> String {
            let outcome = try CLIRunner.run(["job", "update", "a@h1"] + flags, in: tree.path)
            #expect(outcome.status == 0, "\(flags): \(outcome.stderr)")
            return try String(contentsOfFile: "\(tree.path)/jobs.d/a@h1.yaml", encoding: .utf8)
        }
        #expect(try update(["--slo", "99.5%", "--duration-histogram", "true"])
            .hasSuffix("automatic_failure_threshold: 60\nstatus: active\nslo:\n  success_ratio: \"99.5%\"\nmetrics:\n  duration_histogram: true\n"))
        #expect(try update(["--slo-window", "7d"]).contains("slo:\n  success_ratio: \"99.5%\"\n  window: 7d\n"), "the window merges into the SLO")
        #expect(try update(["--slo", "0.999"]).contains("slo:\n  success_ratio: 0.999\n  window: 7d\n"), "the ratio changes, the window stays")
        let show = try CLIRunner.run(["job", "show", "a@h1"], in: tree.path)
        #expect(show.stdout.contains("slo: {success_ratio: 0.999, window: 7d}\nmetrics: {duration_histogram: true}\n"), "\(show.stdout)")
        let refused = try CLIRunner.run(["job", "update", "a@h1", "--slo", "100%"], in: tree.path)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("100% leaves no error budget"), "\(refused.stderr)")
        let noSLO = try update(["--slo", "", "--duration-histogram", ""])
        #expect(!noSLO.contains("slo") && !noSLO.contains("metrics"), "\(noSLO)")
        #expect(try CLIRunner.run(["job", "update", "a@h1", "--duration-histogram", "yes"], in: tree.path).status == 2)
    }

    @Test("the alert policy flags: write, show, replace and remove; a cycle exits 1 naming it; \"\" mixed with values is a usage error")
    func policyFlags() throws {
        let tree = try TempDir()
        try tree.write("jobs.d/a@h1.yaml", "version: 1\njob_name: a\nhost: h1\nautomatic_failure_threshold: 60\n")
        try tree.write("jobs.d/b@h1.yaml", "version: 1\njob_name: b\nhost: h1\nautomatic_failure_threshold: 60\ndepends_on: [a@h1]\n")
        let written = try CLIRunner.run(["job", "update", "a@h1", "--maintenance-window", "0 1 * * 0;2h;Europe/Berlin", "--maintenance-window", "30 4 1 * *;15m",
                                         "--alert-after", "3", "--escalate", "1h=pager,boss", "--escalate", "4h=cto"], in: tree.path)
        #expect(written.status == 0, "\(written.stderr)")
        let file = try String(contentsOfFile: "\(tree.path)/jobs.d/a@h1.yaml", encoding: .utf8)
        #expect(file.contains("""
            maintenance_windows: [{duration: 2h, schedule: "0 1 * * 0", timezone: Europe/Berlin}, {duration: 15m, schedule: "30 4 1 * *"}]
            alert_after: 3
            escalate: [{after: 1h, notify: [pager, boss]}, {after: 4h, notify: [cto]}]
            """), "\(file)")
        let show = try CLIRunner.run(["job", "show", "b@h1"], in: tree.path)
        #expect(show.stdout.contains("depends_on: [a@h1]\n"), "\(show.stdout)")
        let cycle = try CLIRunner.run(["job", "update", "a@h1", "--depends-on", "b@h1"], in: tree.path)
        #expect(cycle.status == 1)
        #expect(cycle.stderr.contains("depends_on forms a cycle: a@h1 → b@h1 → a@h1"), "\(cycle.stderr)")
        #expect(try String(contentsOfFile: "\(tree.path)/jobs.d/a@h1.yaml", encoding: .utf8) == file, "nothing written")
        for flag in ["--maintenance-window", "--depends-on", "--escalate"] {
            let mixed = try CLIRunner.run(["job", "update", "a@h1", flag, "", flag, flag == "--escalate" ? "1h=pager" : flag == "--depends-on" ? "b@h1" : "0 1 * * 0;1h"],
                                          in: tree.path)
            #expect(mixed.status == 2 && mixed.stderr.contains("removes the list: give it alone"), "\(flag): \(mixed.stderr)")
        }
        let removed = try CLIRunner.run(["job", "update", "a@h1", "--maintenance-window", "", "--escalate", "", "--alert-after", ""], in: tree.path)
        #expect(removed.status == 0, "\(removed.stderr)")
        #expect(try String(contentsOfFile: "\(tree.path)/jobs.d/a@h1.yaml", encoding: .utf8)
            .hasSuffix("automatic_failure_threshold: 60\nstatus: active\n"))
    }

    @Test("an edit that would make the tree invalid changes nothing and exits 1")
    func invalidEdit() throws {
        let tree = try TempDir()
        try tree.write("jobs.d/a@h1.yaml", "version: 1\njob_name: a\nhost: h1\nautomatic_failure_threshold: 60\n")
        try tree.write("jobs.d/broken.yaml", "version: 1\njob_name: b\nhost: h1\nautomatic_failure_threshold: soon\n")
        let before = try String(contentsOfFile: "\(tree.path)/jobs.d/a@h1.yaml", encoding: .utf8)
        let outcome = try CLIRunner.run(["job", "update", "a@h1", "--threshold", "120"], in: tree.path)
        #expect(outcome.status == 1)
        #expect(outcome.stderr.contains("broken.yaml:4:30"))
        #expect(try String(contentsOfFile: "\(tree.path)/jobs.d/a@h1.yaml", encoding: .utf8) == before)
        let add = try CLIRunner.run(["job", "add", "--name", "c", "--host", "h1", "--threshold", "60"], in: tree.path)
        #expect(add.status == 1)
        #expect(!FileManager.default.fileExists(atPath: "\(tree.path)/jobs.d/c@h1.yaml"))
    }
}
