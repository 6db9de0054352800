import CronMetricsTestSupport
import Foundation
import Testing
@testable import CronMetricsCore

@Suite("Reconciling jobs.d into SQLite")
struct ReconcilerTests {
    struct Fixture {
        let tree: TempDir
        let dbDir: TempDir
        let database: AppDatabase
        let clock = TestClock()
        let reconciler: Reconciler

        init() throws {
            tree = try TempDir("jobs")
            dbDir = try TempDir("db")
            database = try AppDatabase(path: "\(dbDir.path)/cronmetrics.db")
            let clock = self.clock
            reconciler = Reconciler(root: tree.path, database: database, now: { clock.now })
        }

        /// Writes these jobs at the root and reconciles them; returns when they
        /// were first seen, and moves the clock on by 100 s.
        func seed(_ names: String...) throws -> Date {
            for name in names {
                try tree.write("\(name)@db1.yaml", jobYAML(name))
            }
            _ = try reconciler.reconcile()
            let firstSeen = clock.now
            clock.advance(100)
            return firstSeen
        }
    }

    @Test("added files become jobs with first_seen set")
    func add() async throws {
        let f = try Fixture()
        try f.tree.write("a@db1.yaml", jobYAML("a"))
        try f.tree.write("infra/b@db1.yaml", jobYAML("b"))
        let report = try f.reconciler.reconcile()
        #expect(report.diff.added.map(\.description) == ["a@db1", "b@db1"])
        let jobs = try f.database.fetchJobs()
        #expect(jobs.map(\.job.id.description) == ["a@db1", "b@db1"])
        #expect(jobs.map(\.path) == ["a@db1.yaml", "infra/b@db1.yaml"])
        #expect(jobs.allSatisfy { $0.firstSeen == f.clock.now })
    }

    @Test("a changed definition is updated and keeps first_seen")
    func change() async throws {
        let f = try Fixture()
        let firstSeen = try f.seed("a")
        try f.tree.write("a@db1.yaml", jobYAML("a", threshold: "90m", extra: "labels: {env: prod}\n"))
        let report = try f.reconciler.reconcile()
        #expect(report.diff.changed.map(\.description) == ["a@db1"])
        let job = try #require(try f.database.fetchJobs().first)
        #expect(job.job.threshold?.seconds == 5400)
        #expect(job.job.labels == ["env": "prod"])
        #expect(job.firstSeen == firstSeen)
    }

    @Test("a removed file removes the job")
    func remove() async throws {
        let f = try Fixture()
        _ = try f.seed("a", "b")
        try FileManager.default.removeItem(atPath: "\(f.tree.path)/b@db1.yaml")
        let report = try f.reconciler.reconcile()
        #expect(report.diff.removed.map(\.description) == ["b@db1"])
        #expect(try f.database.fetchJobs().map(\.job.id.description) == ["a@db1"])
    }

    @Test("a renamed file with the same id is a move: first_seen kept")
    func rename() async throws {
        let f = try Fixture()
        let firstSeen = try f.seed("a")
        try FileManager.default.createDirectory(atPath: "\(f.tree.path)/infra", withIntermediateDirectories: true)
        try FileManager.default.moveItem(atPath: "\(f.tree.path)/a@db1.yaml", toPath: "\(f.tree.path)/infra/renamed.yaml")
        let report = try f.reconciler.reconcile()
        #expect(report.diff.moved.map(\.description) == ["a@db1"])
        #expect(report.diff.added.isEmpty && report.diff.removed.isEmpty)
        let job = try #require(try f.database.fetchJobs().first)
        #expect(job.path == "infra/renamed.yaml")
        #expect(job.firstSeen == firstSeen)
    }

    @Test("an invalid tree applies nothing and keeps the old set")
    func invalidKeepsOld() async throws {
        let f = try Fixture()
        _ = try f.seed("a")
        let before = try f.database.fetchJobs()
        try f.tree.write("a@db1.yaml", jobYAML("a", threshold: "60"))  // a valid change …
        try f.tree.write("b@db1.yaml", jobYAML("b", extra: "colour: blue\n"))  // … beside a broken file
        #expect {
            try f.reconciler.reconcile()
        } throws: { error in
            guard case let ReconcileError.invalid(errors) = error else { return false }
            return errors.map(\.description) == ["\(f.tree.path)/b@db1.yaml:5:1: unknown key 'colour'; allowed keys are version, job_name, host, automatic_failure_threshold, schedule, timezone, grace, max_runtime, status, maintenance_until, labels, notify, api_key_sha256, description"]
        }
        #expect(try f.database.fetchJobs() == before)
    }

    @Test("unchanged files are not parsed again")
    func unchangedNotReparsed() async throws {
        let f = try Fixture()
        for index in 0..<20 {
            try f.tree.write("j\(index)@db1.yaml", jobYAML("j\(index)"))
        }
        let first = try f.reconciler.reconcile()
        #expect(first.parsedCount == 20)
        try f.tree.write("j3@db1.yaml", jobYAML("j3", threshold: "120"))
        let second = try f.reconciler.reconcile()
        #expect(second.parsedCount == 1)
        #expect(second.diff.changed.map(\.description) == ["j3@db1"])
        let third = try f.reconciler.reconcile()
        #expect(third.parsedCount == 0)
        #expect(third.diff.isEmpty)
    }

    @Test("state survives reopening the database: first_seen is not reset")
    func reopen() async throws {
        let f = try Fixture()
        let firstSeen = try f.seed("a")
        try f.database.close()
        let reopened = try AppDatabase(path: "\(f.dbDir.path)/cronmetrics.db")
        f.clock.advance(500)
        let clock = f.clock
        let report = try Reconciler(root: f.tree.path, database: reopened, now: { clock.now }).reconcile()
        #expect(report.diff.isEmpty)
        #expect(try reopened.fetchJobs().first?.firstSeen == firstSeen)
    }

    @Test("a vanished tree is an error and the job table stays")
    func vanishedTree() async throws {
        let f = try Fixture()
        _ = try f.seed("a")
        try FileManager.default.removeItem(atPath: f.tree.path)
        #expect(throws: ReconcileError.self) { try f.reconciler.reconcile() }
        #expect(try f.database.fetchJobs().count == 1)
    }
}
