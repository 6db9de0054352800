import CronMetricsTestSupport
import Foundation
import Testing
@testable import CronMetricsCore

@Suite("Reading a jobs.d tree")
struct JobTreeTests {
    @Test("reads yaml and yml at any depth, skips dotfiles, dot-folders and editor leftovers")
    func walk() throws {
        let dir = try TempDir()
        try dir.write("a@h.yaml", jobYAML("a", host: "h"))
        try dir.write("infra/deep/b@h.yml", jobYAML("b", host: "h"))
        try dir.write(".hidden.yaml", "garbage: [")
        try dir.write(".git/config.yaml", "garbage: [")
        try dir.write("a@h.yaml~", "garbage: [")
        try dir.write(".a@h.yaml.swp", "garbage: [")
        try dir.write("README.md", "# not a job")
        let stamps = try JobTree(root: dir.path).scan()
        #expect(stamps.map(\.path) == ["a@h.yaml", "infra/deep/b@h.yml"])
        var loader = JobTreeLoader(root: dir.path)
        let load = try loader.load()
        #expect(load.errors.isEmpty)
        #expect(load.catalog?.count == 2)
    }

    @Test("a duplicate id names both files")
    func duplicates() throws {
        let dir = try TempDir()
        try dir.write("one.yaml", jobYAML("backup"))
        try dir.write("sub/two.yaml", "# moved\n" + jobYAML("backup"))
        var loader = JobTreeLoader(root: dir.path)
        let load = try loader.load()
        #expect(load.catalog == nil)
        let root = dir.path
        #expect(load.errors.map(\.description) == [
            "\(root)/one.yaml:2:11: duplicate job id 'backup@db1': also defined in \(root)/sub/two.yaml:3:11",
            "\(root)/sub/two.yaml:3:11: duplicate job id 'backup@db1': also defined in \(root)/one.yaml:2:11",
        ])
    }

    @Test("a missing tree is an error, not an empty catalog")
    func missingRoot() throws {
        var loader = JobTreeLoader(root: "/nonexistent/jobs.d")
        #expect(throws: JobTreeError.missingRoot("/nonexistent/jobs.d")) { try loader.load() }
    }

    @Test("the bundled jobs.d validates")
    func bundledTree() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../jobs.d").standardized.path
        var loader = JobTreeLoader(root: root)
        let load = try loader.load()
        #expect(load.diagnostics.isEmpty, "\(load.diagnostics)")
        #expect((load.catalog?.count ?? 0) >= 3)
    }
}
