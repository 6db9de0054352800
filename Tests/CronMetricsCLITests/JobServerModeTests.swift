import CronMetricsCore
import CronMetricsTestSupport
import Foundation
import Testing

@Suite("cronmetrics job --server")
struct JobServerModeTests {
    @Test("job commands go through a running server's API, which writes the files")
    func throughTheAPI() async throws {
        let tree = try TempDir()
        try FileManager.default.createDirectory(atPath: "\(tree.path)/jobs.d", withIntermediateDirectories: true)
        let server = try ServerProcess(jobsDir: "\(tree.path)/jobs.d", database: "\(tree.path)/db")
        defer { server.stop() }
        try await server.waitUntilReady()
        let environment = ["CRONMETRICS_ADMIN_KEY": ServerProcess.adminKey]
        let url = server.url
        let listed = try CLIRunner.run(["job", "list", "--server", url], environment: environment)
        #expect(listed.status == 0, "\(listed.stderr)")
        let add = try CLIRunner.run(["job", "add", "--name", "backup", "--host", "db1", "--threshold", "600", "--label", "env=prod", "--server", url], environment: environment)
        #expect(add.status == 0, "\(add.stderr)")
        #expect(add.stdout.contains("Job ID backup@db1 created successfully"))
        #expect(add.stdout.contains("API Key: cm_"))
        #expect(FileManager.default.fileExists(atPath: "\(tree.path)/jobs.d/backup@db1.yaml"))
        #expect(try CLIRunner.run(["job", "update", "backup@db1", "--maintenance", "--server", url], environment: environment).status == 0)
        #expect(try String(contentsOfFile: "\(tree.path)/jobs.d/backup@db1.yaml", encoding: .utf8).contains("status: maintenance\n"))
        let wrongKey = try CLIRunner.run(["job", "list", "--server", url], environment: ["CRONMETRICS_ADMIN_KEY": "nope"])
        #expect(wrongKey.status == 1)
        #expect(wrongKey.stderr.contains("unknown admin key"))
        #expect(try CLIRunner.run(["job", "delete", "backup@db1", "--server", url], environment: environment).status == 0)
        #expect(!FileManager.default.fileExists(atPath: "\(tree.path)/jobs.d/backup@db1.yaml"))
        #expect(try CLIRunner.run(["job", "show", "backup@db1", "--server", url], environment: environment).status == 1)
    }
}
