import CronMetricsTestSupport
import Foundation
import Testing
@testable import CronMetricsCore

/// Transitions as compare-and-set on the state's version: one change of
/// status, one flip row and one outbox row per channel, whoever decides it.
@Suite("Flips: every change of status, once")
struct FlipTests {
    typealias Fixture = OutboxTests.Fixture
    static let base = OutboxTests.base

    struct Flip: Equatable {
        var from: String?
        var to: String
        var reason: String
    }

    static func flips(_ store: StateStore, _ job: String) async throws -> [Flip] {
        try await store.driver.read { db in
            try db.query("SELECT from_status, to_status, reason FROM flips WHERE job_id = ? AND reason != 'lifecycle' ORDER BY id", [.text("\(job)@h")]).map {
                Flip(from: try $0.optionalString("from_status"), to: try $0.string("to_status"), reason: try $0.string("reason"))
            }
        }
    }

    /// A miss counted at the job's stored state version (as a replica whose live state is current counts it).
    static func missed(_ job: String, anchor: Double, in store: StateStore) async throws -> PendingChanges {
        PendingChanges(bookkeeping: [Bookkeeping(jobID: JobID(jobName: job, host: "h"), missedDeadlinesTotal: 1,
                                                 missedAnchor: base + anchor, activatedAt: nil,
                                                 version: try await version(store, job))])
    }

    static func version(_ store: StateStore, _ job: String) async throws -> Int64 {
        try await store.driver.read { db in
            try db.queryOne("SELECT version FROM job_state WHERE job_id = ?", [.text("\(job)@h")])?.int("version") ?? 0
        }
    }

    @Test("results, a missed deadline and a timeout: one flip per change of status, with its reason; none while the status stays",
          arguments: StoreBackend.allCases)
    func everyChange(_ backend: StoreBackend) async throws {
        let fixture = try await Fixture(backend, ["a@h": OutboxTests.job("a", "notify: [ops, chat]")])
        try await fixture.result("a", .success, at: 1)
        try await fixture.result("a", .failure, at: 2)
        try await fixture.result("a", .failure, at: 3)
        try await fixture.result("a", .success, at: 4)
        try await fixture.database.save(try await Self.missed("a", anchor: 4, in: fixture.database), notifications: fixture.settings, now: Self.base + 3605)
        try await fixture.result("a", .success, at: 3606)
        let stored = try await fixture.database.store([.start(jobID: JobID(jobName: "a", host: "h"), runID: nil, at: Self.base + 3607)])
        guard case let .start(_, run, _) = stored.first else { Issue.record("no run"); return }
        try await fixture.database.save(PendingChanges(timeouts: [TimedOutRun(jobID: JobID(jobName: "a", host: "h"), runID: run.id, at: Self.base + 3667)]),
                                        notifications: fixture.settings, now: Self.base + 3668)
        #expect(try await Self.flips(fixture.database, "a") == [
            Flip(from: nil, to: "success", reason: "result"), Flip(from: "success", to: "failure", reason: "result"),
            Flip(from: "failure", to: "success", reason: "result"), Flip(from: "success", to: "missed_deadline", reason: "deadline"),
            Flip(from: "missed_deadline", to: "success", reason: "result"), Flip(from: "success", to: "timeout", reason: "timeout"),
        ])
    }

    @Test("a job whose state row does not exist yet flips on its first result", arguments: StoreBackend.allCases)
    func firstResultOfUnknownRow(_ backend: StoreBackend) async throws {
        let dir = try TempDir()
        try await StateStore.with(backend, in: dir.path) { store in
            _ = try await store.insert([JobResult(jobID: JobID(jobName: "new", host: "h"), receivedAt: Self.base, status: .failure)])
            #expect(try await Self.flips(store, "new") == [Flip(from: nil, to: "failure", reason: "result")])
        }
    }

    @Test("two replicas saving the same missed deadline at once: one flip, one outbox row per channel", arguments: StoreBackend.allCases)
    func twoReplicasOneDeadline(_ backend: StoreBackend) async throws {
        let fixture = try await Fixture(backend, ["a@h": OutboxTests.job("a", "notify: [ops, chat]")])
        try await fixture.result("a", .success, at: 1)
        // A second store on the same database: another replica's pool.
        let other = try await StateStore.open(fixture.location, logger: StoreBackend.quietLogger)
        let (mine, settings) = (fixture.database, fixture.settings)
        for round in 0..<5 {
            let anchor = Double(round * 10_000 + 1)
            // Both replicas counted the miss at the same state version.
            let missed = try await Self.missed("a", anchor: anchor, in: mine)
            async let first = mine.save(missed, notifications: settings, now: Self.base + anchor + 3601)
            async let second = other.save(missed, notifications: settings, now: Self.base + anchor + 3602)
            _ = try await (first, second)
            try await fixture.result("a", .success, at: anchor + 9_000)
        }
        try await other.close()
        let flips = try await Self.flips(fixture.database, "a")
        #expect(flips.filter { $0.reason == "deadline" }.count == 5)
        #expect(flips.count == 11, "first success, then five misses and five recoveries")
        let downs = try await fixture.rows().filter { $0.event.kind == .down }
        #expect(downs.count == 10, "five downs, each to two channels")
        #expect(Set(downs.map(\.eventId)).count == 5)
    }

    @Test("a change decided on a state that moved on is not made: no flip, no notification", arguments: StoreBackend.allCases)
    func staleVersion(_ backend: StoreBackend) async throws {
        let fixture = try await Fixture(backend, ["a@h": OutboxTests.job("a", "notify: [ops]")])
        try await fixture.result("a", .success, at: 1)
        let outbox = Outbox(settings: fixture.settings, now: Self.base + 2, corruptRows: fixture.database.corruptRows)
        let (current, made, stale) = try await fixture.database.driver.write { db in
            let current = try db.queryOne("SELECT version FROM job_state WHERE job_id = 'a@h'")?.int("version") ?? -1
            let stale = try outbox.change(JobID(jobName: "a", host: "h"), from: "success", to: "failure", at: Self.base + 2,
                                          version: current - 1, reason: .result, lastRun: nil, db: db)
            let made = try outbox.change(JobID(jobName: "a", host: "h"), from: "success", to: "failure", at: Self.base + 2,
                                         version: current, reason: .result, lastRun: nil, db: db)
            return (current, made, stale)
        }
        #expect(stale == nil)
        #expect(made == current + 1)
        #expect(try await Self.flips(fixture.database, "a").count == 2)
        #expect(try await fixture.rows().count == 1)
    }
}
