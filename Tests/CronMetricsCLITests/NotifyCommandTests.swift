import CronMetricsCore
import CronMetricsTestSupport
import Foundation
import Testing

/// `cronmetrics notify` on the server's database file and through `--server`:
/// the same output either way, dead letters requeued and deleted, test messages.
@Suite("cronmetrics notify", .serialized)
struct NotifyCommandTests {
    @Test("list, show, test, requeue and delete: local database and --server agree")
    func outbox() async throws {
        let tree = try TempDir()
        let port = ServerProcess.freePort()
        let key = "notify-key-0123456789abcdef0123456789abcdef"
        // `down` never arrives (nothing listens; one attempt) and becomes a dead
        // letter; `self` posts a log ping to this server, which answers 200.
        try tree.write("cronmetrics.yaml", """
            notifications:
              default_channels: [down]
              retry: {max_attempts: 1}
              channels:
                down: {type: webhook, url: "http://127.0.0.1:\(ServerProcess.freePort())/hook"}
                self: {type: webhook, url: "http://127.0.0.1:\(port)/ping/\(key)/log"}

            """)
        try tree.write("jobs.d/backup@db1.yaml", "version: 1\njob_name: backup\nhost: db1\nautomatic_failure_threshold: 1h\n"
            + "api_key_sha256: \(APIKeyHash.sha256Hex(of: key))\n")
        let config = "\(tree.path)/cronmetrics.yaml", database = "\(tree.path)/cm.db"
        let server = try ServerProcess(jobsDir: "\(tree.path)/jobs.d", database: database, port: port,
                                       environment: ["CRONMETRICS_CONFIG": config])
        defer { server.stop() }
        try await server.waitUntilReady()
        let local = ["--config", config, "--database", database]
        let remote = ["--server", server.url]
        let environment = ["CRONMETRICS_ADMIN_KEY": ServerProcess.adminKey]
        func both(_ command: [String]) throws -> CLIRunner.Outcome {
            let here = try CLIRunner.run(command + local)
            let there = try CLIRunner.run(command + remote, environment: environment)
            #expect(here.status == there.status, "\(command): exit \(here.status) here, \(there.status) through the server: \(there.stderr)")
            #expect(Self.timeless(here.stdout) == Self.timeless(there.stdout), "\(command)")
            #expect(Self.timeless(here.stderr) == Self.timeless(there.stderr), "\(command)")
            return here
        }

        #expect(try both(["notify", "list"]).stdout == "No notifications.\n")
        // A failed run: one down event, dead after its one attempt.
        let run = try CLIRunner.run(["run", "--job", "backup@db1", "--", "sh", "-c", "exit 3"], in: tree.path,
                                    environment: ["CRONMETRICS_JOB_KEY": key, "CRONMETRICS_SERVER": server.url])
        #expect(run.status == 3)
        let dead = try await Self.waitForDead(count: 1, local: local)
        #expect(dead.count == 1)
        let id = try #require(dead.first?["id"] as? Int)
        #expect(dead.first?["state"] as? String == "dead")
        #expect((dead.first?["last_error"] as? String)?.contains("gave up after 1 attempt") == true)

        let table = try both(["notify", "list", "--state", "dead"])
        #expect(table.stdout.hasPrefix("ID"))
        #expect(table.stdout.contains("dead   down"))
        #expect(table.stdout.contains("backup@db1"))
        #expect(try both(["notify", "list", "--output", "json", "--channel", "down", "--job", "backup@db1"]).status == 0)
        let shown = try both(["notify", "show", "\(id)"])
        #expect(shown.stdout.contains("\"event_id\""))
        #expect(try both(["notify", "show", "999"]).stderr == "error: no notification 999\n")
        #expect(try both(["notify", "list", "--state", "lost"]).status == 2)

        let delivered = try both(["notify", "test", "self"])
        #expect(delivered.status == 0)
        #expect(delivered.stdout.hasPrefix("Delivered a test event through 'self' in "))
        for mode in [local, remote] {
            let failed = try CLIRunner.run(["notify", "test", "down"] + mode, environment: environment)
            #expect(failed.status == 1)
            #expect(failed.stderr.hasPrefix("error: not delivered through 'down'"), "\(failed.stderr)")
        }
        let unknown = try both(["notify", "test", "nope"])
        #expect(unknown.stderr == "error: no channel 'nope'; configured: down, self\n")

        #expect(try both(["notify", "requeue"]).status == 2, "no id and no --all")
        #expect(try both(["notify", "requeue", "\(id)", "--all"]).status == 2)
        #expect(try both(["notify", "delete", "\(id)", "--channel", "down"]).status == 2)

        // Requeued through the server, dead again after one more try; then
        // requeued locally in bulk, and in the end deleted in bulk.
        let requeued = try CLIRunner.run(["notify", "requeue", "\(id)"] + remote, environment: environment)
        #expect(requeued.stdout == "Requeued notification \(id) (down of backup@db1 to down)\n")
        let again = try await Self.waitForDead(count: 1, local: local)
        #expect(again.first?["id"] as? Int == id)
        let bulk = try CLIRunner.run(["notify", "requeue", "--all", "--channel", "down"] + local)
        #expect(bulk.stdout == "Requeued 1 dead letter\n")
        _ = try await Self.waitForDead(count: 1, local: local)
        let conflict = try CLIRunner.run(["notify", "delete", "--all", "--channel", "self"] + local)
        #expect(conflict.stdout == "Deleted 0 dead letters\n")
        let deleted = try CLIRunner.run(["notify", "delete", "--all"] + remote, environment: environment)
        #expect(deleted.stdout == "Deleted 1 dead letter\n")
        #expect(try both(["notify", "list"]).stdout == "No notifications.\n")

        let missing = try CLIRunner.run(["notify", "list", "--database", "\(tree.path)/typo.db"])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("no database at"))
        let keyless = try CLIRunner.run(["notify", "list", "--server", server.url], environment: ["CRONMETRICS_ADMIN_KEY": ""])
        #expect(keyless.status == 2)
    }

    /// Output with the seconds a test message took replaced.
    static func timeless(_ text: String) -> String {
        text.replacing(/\d+\.\d\d s/, with: "N s")
    }

    /// Polls the local outbox until `count` dead letters are there (a requeue
    /// makes its row pending before the command returns).
    static func waitForDead(count: Int, local: [String]) async throws -> [[String: Any]] {
        for _ in 0..<100 {
            let listed = try CLIRunner.run(["notify", "list", "--state", "dead", "--output", "json"] + local)
            let page = try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [String: Any]
            let rows = page?["notifications"] as? [[String: Any]] ?? []
            if rows.count == count { return rows }
            try await Task.sleep(for: .milliseconds(200))
        }
        return []
    }
}
