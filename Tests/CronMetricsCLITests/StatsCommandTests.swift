import CronMetricsCore
import CronMetricsTestSupport
import Foundation
import Testing

@Suite("cronmetrics stats")
struct StatsCommandTests {
    /// Posts a result (or, with `path`, a start) with curl, as a cron host would.
    static func submit(_ url: String, _ body: String, key: String, path: String = "/api/job-result") throws {
        let curl = TestProcess()
        curl.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        curl.arguments = ["-sf", "-o", "/dev/null", "-H", "X-API-Key: \(key)", "-H", "Content-Type: application/json", "-d", body,
                          "\(url)\(path)"]
        try curl.run()
        curl.waitUntilExit()
        #expect(curl.terminationStatus == 0, "\(body)")
    }

    @Test("one job's table and JSON, a team's row, refusals; a rebuild of the rollups changes no figure")
    func throughTheServer() async throws {
        let tree = try TempDir()
        try tree.write("jobs.d/backup@db1.yaml", """
            version: 1
            job_name: backup
            host: db1
            automatic_failure_threshold: 1h
            labels: {team: dba}
            api_key_sha256: \(APIKeyHash.sha256Hex(of: "k1"))
            """)
        let database = "\(tree.path)/db"
        let server = try ServerProcess(jobsDir: "\(tree.path)/jobs.d", database: database)
        defer { server.stop() }
        try await server.waitUntilReady()
        try Self.submit(server.url, #"{"job_name":"backup","host":"db1","status":"success","duration":2}"#, key: "k1")
        try Self.submit(server.url, #"{"job_name":"backup","host":"db1","status":"failure","duration":4}"#, key: "k1")
        let environment = ["CRONMETRICS_ADMIN_KEY": ServerProcess.adminKey, "CRONMETRICS_SERVER": server.url]

        let table = try CLIRunner.run(["stats", "backup@db1", "--window", "24h"], environment: environment)
        #expect(table.status == 0, "\(table.stderr)")
        let lines = table.stdout.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ") }
        #expect(lines.first?.hasPrefix("backup@db1 over 24h (") == true)
        for line in ["runs 2", "successes 1", "failures 1", "success ratio 50.00%", "duration max 4.00s", "current streak 1 failed run since"] {
            #expect(lines.contains { $0.hasPrefix(line) }, "\(line) in\n\(table.stdout)")
        }
        let json = try CLIRunner.run(["stats", "backup@db1", "--window", "24h", "--output", "json"], environment: environment)
        let before = try APICoding.decoder.decode(JobStatistics.self, from: Data(json.stdout.utf8))
        #expect(before.runs == 2 && before.duration.count == 2 && before.failures == 1)

        let team = try CLIRunner.run(["stats", "--group-by", "team", "--label", "team=dba", "--window", "7d"], environment: environment)
        #expect(team.status == 0, "\(team.stderr)")
        let rows = team.stdout.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ") }
        #expect(rows.contains("TEAM JOBS RUNS SUCCESS UPTIME P95 LONGEST OUTAGE"))
        #expect(rows.contains { $0.hasPrefix("dba 1 2 50.00% ") }, "\(team.stdout)")
        #expect(rows.contains { $0.hasPrefix("all 1 2 50.00% ") })

        let unknown = try CLIRunner.run(["stats", "nojob@db1"], environment: environment)
        #expect(unknown.status == 1 && unknown.stderr.contains("error: no job nojob@db1"), "\(unknown.stderr)")
        let badWindow = try CLIRunner.run(["stats", "backup@db1", "--window", "7w"], environment: environment)
        #expect(badWindow.status == 1 && badWindow.stderr.contains("window \"7w\" is not a number of hours or days"), "\(badWindow.stderr)")
        let noServer = try CLIRunner.run(["stats", "backup@db1"], environment: ["CRONMETRICS_ADMIN_KEY": "x"])
        #expect(noServer.status == 2 && noServer.stderr.contains("--server URL"), "\(noServer.stderr)")
        let both = try CLIRunner.run(["stats", "backup@db1", "--group-by", "team"], environment: environment)
        #expect(both.status == 2)

        // The rollups gone (as if lost), then recounted from the raw results: the same figures.
        let wipe = TestProcess()
        wipe.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        wipe.arguments = [database, "DELETE FROM rollups"]
        try wipe.run()
        wipe.waitUntilExit()
        #expect(wipe.terminationStatus == 0)
        let wiped = try CLIRunner.run(["stats", "backup@db1", "--window", "24h", "--output", "json"], environment: environment)
        #expect(try APICoding.decoder.decode(JobStatistics.self, from: Data(wiped.stdout.utf8)).runs == 0, "the rollups are gone")
        // Before the days retention.days keeps raw results for: refused, since the rollups there are all that is left.
        let old = try CLIRunner.run(["stats", "rebuild", "--database", database, "--since", RFC3339.format(Date().addingTimeInterval(-60 * 86_400))])
        #expect(old.status == 1 && old.stderr.contains("retention.days (30) keeps") && old.stderr.contains("--force"), "\(old.stderr)")
        let rebuilt = try CLIRunner.run(["stats", "rebuild", "--database", database, "--since", RFC3339.format(Date().addingTimeInterval(-86_400))])
        #expect(rebuilt.status == 0, "\(rebuilt.stderr)")
        #expect(rebuilt.stdout.hasPrefix("Rebuilt ") && rebuilt.stdout.contains("older ones kept"), "\(rebuilt.stdout)")
        let again = try CLIRunner.run(["stats", "backup@db1", "--window", "24h", "--output", "json"], environment: environment)
        let after = try APICoding.decoder.decode(JobStatistics.self, from: Data(again.stdout.utf8))
        #expect((after.runs, after.successes, after.failures, after.duration) == (before.runs, before.successes, before.failures, before.duration))
    }
}
