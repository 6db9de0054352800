import CronMetricsCore
import CronMetricsTestSupport
import Foundation
import Testing

@Suite("cronmetrics job --config")
struct JobConfigTests {
    @Test("job commands take jobs.dir from --config, and --jobs-dir still wins")
    func jobsDirFromConfig() throws {
        let tree = try TempDir()
        try tree.write("elsewhere/jobs/a@h.yaml", "version: 1\njob_name: a\nhost: h\nautomatic_failure_threshold: 60\n")
        try tree.write("cm.yaml", "jobs:\n  dir: \(tree.path)/elsewhere/jobs\n")
        let listed = try CLIRunner.run(["job", "list", "--config", "\(tree.path)/cm.yaml"], in: tree.path)
        #expect(listed.status == 0, "\(listed.stderr)")
        #expect(listed.stdout.contains("a@h"))
        try FileManager.default.createDirectory(atPath: "\(tree.path)/other", withIntermediateDirectories: true)
        let overridden = try CLIRunner.run(["job", "list", "--config", "\(tree.path)/cm.yaml", "--jobs-dir", "\(tree.path)/other"], in: tree.path)
        #expect(overridden.status == 0)
        #expect(!overridden.stdout.contains("a@h"))
    }
}
