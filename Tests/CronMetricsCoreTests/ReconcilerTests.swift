import CronMetricsTestSupport
import Foundation
import Testing
@testable import CronMetricsCore

@Suite("Reconciling jobs.d into the store")
struct ReconcilerTests {
    struct Fixture {
        let tree: TempDir
        let dbDir: TempDir
        let location: StorageLocation
        let database: StateStore
        let clock = TestClock()
        let reconciler: Reconciler

        init(_ backend: StoreBackend) async throws {
            tree = try TempDir("jobs")
            dbDir = try TempDir("db")
            location = try await backend.location(in: dbDir.path)
            database = try await StateStore.open(location, logger: StoreBackend.quietLogger)
            let clock = self.clock
            reconciler = Reconciler(root: tree.path, database: database, now: { clock.now })
        }

        /// Writes these jobs at the root and reconciles them; returns when they
        /// were first seen, and moves the clock on by 100 s.
        func seed(_ names: String...) async throws -> Date {
            for name in names {
                try tree.write("\(name)@db1.yaml", jobYAML(name))
            }
            _ = try await reconciler.reconcile()
            let firstSeen = clock.now
            clock.advance(100)
            return firstSeen
        }
    }

    @Test("added files become jobs with first_seen set", arguments: StoreBackend.allCases)
    func add(_ backend: StoreBackend) async throws {
        let f = try await Fixture(backend)
        try f.tree.write("a@db1.yaml", jobYAML("a"))
        try f.tree.write("infra/b@db1.yaml", jobYAML("b"))
        let report = try await f.reconciler.reconcile()
        #expect(report.diff.added.map(\.description) == ["a@db1", "b@db1"])
        let jobs = try await f.database.fetchJobs()
        #expect(jobs.map(\.job.id.description) == ["a@db1", "b@db1"])
        #expect(jobs.map(\.path) == ["a@db1.yaml", "infra/b@db1.yaml"])
        #expect(jobs.allSatisfy { $0.firstSeen == f.clock.now })
    }

    @Test("a changed definition is updated and keeps first_seen", arguments: StoreBackend.allCases)
    func change(_ backend: StoreBackend) async throws {
        let f = try await Fixture(backend)
        let firstSeen = try await f.seed("a")
        try f.tree.write("a@db1.yaml", jobYAML("a", threshold: "90m", extra: "labels: {env: prod}\n"))
        let report = try await f.reconciler.reconcile()
        #expect(report.diff.changed.map(\.description) == ["a@db1"])
        let job = try #require(try await f.database.fetchJobs().first)
        #expect(job.job.threshold?.seconds == 5400)
        #expect(job.job.labels == ["env": "prod"])
        #expect(job.firstSeen == firstSeen)
    }

    @Test("a removed file removes the job", arguments: StoreBackend.allCases)
    func remove(_ backend: StoreBackend) async throws {
        let f = try await Fixture(backend)
        _ = try await f.seed("a", "b")
        try FileManager.default.removeItem(atPath: "\(f.tree.path)/b@db1.yaml")
        let report = try await f.reconciler.reconcile()
        #expect(report.diff.removed.map(\.description) == ["b@db1"])
        #expect(try await f.database.fetchJobs().map(\.job.id.description) == ["a@db1"])
    }

    @Test("a renamed file with the same id is a move: first_seen kept", arguments: StoreBackend.allCases)
    func rename(_ backend: StoreBackend) async throws {
        let f = try await Fixture(backend)
        let firstSeen = try await f.seed("a")
        try FileManager.default.createDirectory(atPath: "\(f.tree.path)/infra", withIntermediateDirectories: true)
        try FileManager.default.moveItem(atPath: "\(f.tree.path)/a@db1.yaml", toPath: "\(f.tree.path)/infra/renamed.yaml")
        let report = try await f.reconciler.reconcile()
        #expect(report.diff.moved.map(\.description) == ["a@db1"])
        #expect(report.diff.added.isEmpty && report.diff.removed.isEmpty)
        let job = try #require(try await f.database.fetchJobs().first)
        #expect(job.path == "infra/renamed.yaml")
        #expect(job.firstSeen == firstSeen)
    }

    @Test("an invalid tree applies nothing and keeps the old set", arguments: StoreBackend.allCases)
    func invalidKeepsOld(_ backend: StoreBackend) async throws {
        let f = try await Fixture(backend)
        _ = try await f.seed("a")
        let before = try await f.database.fetchJobs()
        try f.tree.write("a@db1.yaml", jobYAML("a", threshold: "60"))  // a valid change …
        try f.tree.write("b@db1.yaml", jobYAML("b", extra: "colour: blue\n"))  // … beside a broken file
        await #expect {
            try await f.reconciler.reconcile()
        } throws: { error in
            guard case let ReconcileError.invalid(errors) = error else { return false }
            return errors.map(\.description) == ["\(f.tree.path)/b@db1.yaml:5:1: unknown key 'colour'; allowed keys are version, job_name, host, automatic_failure_threshold, schedule, timezone, grace, max_runtime, status, maintenance_until, maintenance_windows, labels, notify, alert_after, escalate, depends_on, slo, metrics, api_key_sha256, description"]
        }
        #expect(try await f.database.fetchJobs() == before)
    }

    @Test("unchanged files are not parsed again", arguments: StoreBackend.allCases)
    func unchangedNotReparsed(_ backend: StoreBackend) async throws {
        let f = try await Fixture(backend)
        for index in 0..<20 {
            try f.tree.write("j\(index)@db1.yaml", jobYAML("j\(index)"))
        }
        let first = try await f.reconciler.reconcile()
        #expect(first.parsedCount == 20)
        try f.tree.write("j3@db1.yaml", jobYAML("j3", threshold: "120"))
        let second = try await f.reconciler.reconcile()
        #expect(second.parsedCount == 1)
        #expect(second.diff.changed.map(\.description) == ["j3@db1"])
        let third = try await f.reconciler.reconcile()
        #expect(third.parsedCount == 0)
        #expect(third.diff.isEmpty)
    }

    @Test("state survives reopening the database: first_seen is not reset", arguments: StoreBackend.allCases)
    func reopen(_ backend: StoreBackend) async throws {
        let f = try await Fixture(backend)
        let firstSeen = try await f.seed("a")
        try await f.database.close()
        let reopened = try await StateStore.open(f.location, logger: StoreBackend.quietLogger)
        f.clock.advance(500)
        let clock = f.clock
        let report = try await Reconciler(root: f.tree.path, database: reopened, now: { clock.now }).reconcile()
        #expect(report.diff.isEmpty)
        #expect(try await reopened.fetchJobs().first?.firstSeen == firstSeen)
    }

    @Test("a vanished tree is an error and the job table stays", arguments: StoreBackend.allCases)
    func vanishedTree(_ backend: StoreBackend) async throws {
        let f = try await Fixture(backend)
        _ = try await f.seed("a")
        try FileManager.default.removeItem(atPath: f.tree.path)
        await #expect(throws: ReconcileError.self) { try await f.reconciler.reconcile() }
        #expect(try await f.database.fetchJobs().count == 1)
    }
}
