import CronMetricsTestSupport
import Foundation
import Testing
@testable import CronMetricsCore

/// The alert policy through the outbox, on both stores: what is written in
/// the transaction of each change, and what the dispatcher's housekeeping
/// (``StateStore/announcePending(_:now:)``) sends later, on an injected clock.
@Suite("Alert policy in the outbox: held downs, escalations, windows, reloads")
struct AlertPolicyStoreTests {
    typealias Fixture = OutboxTests.Fixture
    static let base = OutboxTests.base

    static func job(_ name: String, _ extra: String) -> String { OutboxTests.job(name, extra) }
    static func id(_ name: String) -> JobID { JobID(jobName: name, host: "h") }

    static func outbox(_ fixture: Fixture) async throws -> [String] {
        try await fixture.rows().map { row in
            "\(row.jobId) \(row.channel) \(row.kind) \(row.event.status)" + (row.event.escalation.map { " escalation \($0)" } ?? "")
        }
    }

    @Test("alert_after 3 with a failure, a missed deadline and a timeout: the down goes out at the third, once", arguments: StoreBackend.allCases)
    func alertAfterMixed(_ backend: StoreBackend) async throws {
        let fixture = try await Fixture(backend, ["a@h": Self.job("a", "notify: [ops]\nalert_after: 3")])
        try await fixture.result("a", .failure, at: 1)
        #expect(try await Self.outbox(fixture).isEmpty, "one failed run of three")
        let miss = Bookkeeping(jobID: Self.id("a"), missedDeadlinesTotal: 1, missedAnchor: Self.base + 1, activatedAt: nil,
                               version: try await FlipTests.version(fixture.database, "a"))
        try await fixture.database.save(PendingChanges(bookkeeping: [miss]), notifications: fixture.settings, now: Self.base + 3700)
        #expect(try await Self.outbox(fixture).isEmpty, "two of three")
        #expect(try await fixture.database.announcePending(fixture.settings, now: Self.base + 3701) == 0, "housekeeping holds it too")
        let stored = try await fixture.database.store([.start(jobID: Self.id("a"), runID: nil, at: Self.base + 3800)], notifications: fixture.settings)
        guard case let .start(_, run, _) = stored.first else { Issue.record("no run"); return }
        try await fixture.database.save(PendingChanges(timeouts: [TimedOutRun(jobID: Self.id("a"), runID: run.id, at: Self.base + 3860)]),
                                        notifications: fixture.settings, now: Self.base + 3861)
        #expect(try await Self.outbox(fixture) == ["a@h ops down timeout"], "the third failed run, a timeout, alerts at once")
        try await fixture.result("a", .failure, at: 3900)
        #expect(try await fixture.database.announcePending(fixture.settings, now: Self.base + 3901) == 0)
        try await fixture.result("a", .success, at: 4000)
        #expect(try await Self.outbox(fixture) == ["a@h ops down timeout", "a@h ops up success"])
        // A new outage counts from one again: two failures send nothing.
        try await fixture.result("a", .failure, at: 4100)
        try await fixture.result("a", .failure, at: 4200)
        #expect(try await Self.outbox(fixture).count == 2)
        try await fixture.result("a", .failure, at: 4300)
        #expect(try await Self.outbox(fixture).last == "a@h ops down failure")
    }

    @Test("a chain of three: each down held while the job it depends on fails, sent when that one recovers", arguments: StoreBackend.allCases)
    func dependencyChain(_ backend: StoreBackend) async throws {
        let fixture = try await Fixture(backend, [
            "a@h": Self.job("a", "notify: [ops]"),
            "b@h": Self.job("b", "notify: [ops]\ndepends_on: [a@h]"),
            "c@h": Self.job("c", "notify: [ops]\ndepends_on: [b@h]"),
        ])
        try await fixture.result("a", .failure, at: 1)
        try await fixture.result("b", .failure, at: 2)
        try await fixture.result("c", .failure, at: 3)
        #expect(try await Self.outbox(fixture) == ["a@h ops down failure"])
        #expect(try await fixture.database.announcePending(fixture.settings, now: Self.base + 4) == 0, "b and c still blocked")
        try await fixture.result("a", .success, at: 5)
        #expect(try await fixture.database.announcePending(fixture.settings, now: Self.base + 6) == 1, "b's down, now that a is well")
        #expect(try await Self.outbox(fixture) == ["a@h ops down failure", "a@h ops up success", "b@h ops down failure"])
        try await fixture.result("b", .success, at: 7)
        #expect(try await fixture.database.announcePending(fixture.settings, now: Self.base + 8) == 1)
        #expect(try await Self.outbox(fixture).suffix(2) == ["b@h ops up success", "c@h ops down failure"])
        // A dependent that recovered while it was held sends nothing, ever.
        try await fixture.result("a", .failure, at: 9)
        try await fixture.result("b", .failure, at: 10)
        try await fixture.result("b", .success, at: 11)
        try await fixture.result("a", .success, at: 12)
        #expect(try await fixture.database.announcePending(fixture.settings, now: Self.base + 13) == 0)
        #expect(try await Self.outbox(fixture).suffix(2) == ["a@h ops down failure", "a@h ops up success"])
    }

    @Test("escalation: the step's channels once, at its time after the down went out; the up resolves them too", arguments: StoreBackend.allCases)
    func escalationThenRecovery(_ backend: StoreBackend) async throws {
        let fixture = try await Fixture(backend, ["e@h": Self.job("e", "notify: [ops]\nescalate: [{after: 10m, notify: [chat]}]")])
        try await fixture.result("e", .failure, at: 0)
        #expect(try await fixture.database.announcePending(fixture.settings, now: Self.base + 599) == 0)
        #expect(try await fixture.database.announcePending(fixture.settings, now: Self.base + 600) == 1)
        #expect(try await fixture.database.announcePending(fixture.settings, now: Self.base + 1200) == 0, "once an outage")
        try await fixture.result("e", .failure, at: 1250)
        try await fixture.result("e", .success, at: 1300)
        #expect(try await Self.outbox(fixture) == ["e@h ops down failure", "e@h chat down failure escalation 1", "e@h ops up success",
                                                    "e@h chat up success"])
        let escalated = try #require(try await fixture.rows().first { $0.event.escalation != nil })
        #expect(escalated.event.summary == "e@h is DOWN: failure (still down, escalation 1)")
        // The next outage escalates again, from its own down.
        try await fixture.result("e", .failure, at: 2000)
        #expect(try await fixture.database.announcePending(fixture.settings, now: Self.base + 2599) == 0)
        #expect(try await fixture.database.announcePending(fixture.settings, now: Self.base + 2600) == 1)
    }

    @Test("a reload that changes the policy mid-outage: a lowered alert_after sends; added steps count from the down", arguments: StoreBackend.allCases)
    func reloadMidOutage(_ backend: StoreBackend) async throws {
        let fixture = try await Fixture(backend, ["r@h": Self.job("r", "notify: [ops]\nalert_after: 5")])
        try await fixture.result("r", .failure, at: 1)
        try await fixture.result("r", .failure, at: 2)
        #expect(try await fixture.database.announcePending(fixture.settings, now: Self.base + 3) == 0)
        try fixture.dir.write("jobs.d/r@h.yaml", Self.job("r", "notify: [ops]\nalert_after: 2"))
        _ = try await fixture.reconciler.reconcile()
        #expect(try await fixture.database.announcePending(fixture.settings, now: Self.base + 10) == 1)
        #expect(try await Self.outbox(fixture) == ["r@h ops down failure"])
        try fixture.dir.write("jobs.d/r@h.yaml", Self.job("r", "notify: [ops]\nalert_after: 2\nescalate: [{after: 1m, notify: [chat]}]"))
        _ = try await fixture.reconciler.reconcile()
        #expect(try await fixture.database.announcePending(fixture.settings, now: Self.base + 69) == 0)
        #expect(try await fixture.database.announcePending(fixture.settings, now: Self.base + 70) == 1)
        // Raising alert_after after the down went out takes nothing back: the up follows.
        try fixture.dir.write("jobs.d/r@h.yaml", Self.job("r", "notify: [ops]\nalert_after: 9"))
        _ = try await fixture.reconciler.reconcile()
        try await fixture.result("r", .success, at: 80)
        #expect(try await Self.outbox(fixture).suffix(2) == ["r@h ops up success", "r@h chat up success"])
    }

    @Test("nothing inside a maintenance window; a down still true at its end goes out then", arguments: StoreBackend.allCases)
    func window(_ backend: StoreBackend) async throws {
        // The base instant is 08:00 UTC: the window is 08:00–09:00 every day.
        #expect(RFC3339.format(Self.base) == "2027-01-15T08:00:00Z")
        let fixture = try await Fixture(backend, ["w@h": Self.job("w", "notify: [ops]\nmaintenance_windows: [{schedule: \"0 8 * * *\", duration: 1h}]")])
        try await fixture.result("w", .failure, at: 60)
        #expect(try await Self.outbox(fixture).isEmpty)
        #expect(try await fixture.database.announcePending(fixture.settings, now: Self.base + 3599) == 0)
        #expect(try await fixture.database.announcePending(fixture.settings, now: Self.base + 3600) == 1)
        #expect(try await Self.outbox(fixture) == ["w@h ops down failure"])
        // Recovering inside the next window: the up waits for its end.
        try await fixture.result("w", .success, at: 86_400 + 60)
        #expect(try await Self.outbox(fixture).count == 1)
        #expect(try await fixture.database.announcePending(fixture.settings, now: Self.base + 86_400 + 3600) == 1)
        #expect(try await Self.outbox(fixture).last == "w@h ops up success")
    }

    @Test("a timeout saved late, with its limit before a window the job is in now: held until the window ends", arguments: StoreBackend.allCases)
    func lateTimeoutInWindow(_ backend: StoreBackend) async throws {
        let fixture = try await Fixture(backend, ["w@h": Self.job("w", "notify: [ops]\nmaintenance_windows: [{schedule: \"0 8 * * *\", duration: 1h}]")])
        let stored = try await fixture.database.store([.start(jobID: Self.id("w"), runID: nil, at: Self.base - 3600)], notifications: fixture.settings,
                                                      now: Self.base - 3600)
        guard case let .start(_, run, _) = stored.first else { Issue.record("no run"); return }
        try await fixture.database.save(PendingChanges(timeouts: [TimedOutRun(jobID: Self.id("w"), runID: run.id, at: Self.base - 1800)]),
                                        notifications: fixture.settings, now: Self.base + 600)
        #expect(try await Self.outbox(fixture).isEmpty, "saved at 08:10, inside the window")
        #expect(try await fixture.database.announcePending(fixture.settings, now: Self.base + 3600) == 1)
        #expect(try await Self.outbox(fixture) == ["w@h ops down timeout"])
    }

    @Test("alert_after 2 and a job that goes silent: one missed deadline, then a threshold more of silence, pages", arguments: StoreBackend.allCases)
    func silentAlertAfter(_ backend: StoreBackend) async throws {
        let fixture = try await Fixture(backend, ["s@h": Self.job("s", "notify: [ops]\nalert_after: 2")])
        try await fixture.result("s", .success, at: 1)
        let miss = Bookkeeping(jobID: Self.id("s"), missedDeadlinesTotal: 1, missedAnchor: Self.base + 1, activatedAt: nil,
                               version: try await FlipTests.version(fixture.database, "s"))
        try await fixture.database.save(PendingChanges(bookkeeping: [miss]), notifications: fixture.settings, now: Self.base + 3700)
        #expect(try await Self.outbox(fixture).isEmpty, "one missed deadline of two")
        #expect(try await fixture.database.announcePending(fixture.settings, now: Self.base + 3700 + 3599) == 0)
        #expect(try await fixture.database.announcePending(fixture.settings, now: Self.base + 3700 + 3600) == 1)
        #expect(try await Self.outbox(fixture) == ["s@h ops down missed_deadline"])
    }

    @Test("the tree refuses unknown ids, cycles (named) and escalation channels the server does not have")
    func treeRefuses() throws {
        let dir = try TempDir()
        try dir.write("x@h.yaml", Self.job("x", "depends_on: [y@h]"))
        try dir.write("y@h.yaml", Self.job("y", "depends_on: [z@h]"))
        try dir.write("z@h.yaml", Self.job("z", "depends_on: [x@h, nobody@h]"))
        try dir.write("p@h.yaml", Self.job("p", "escalate: [{after: 1h, notify: [pagr]}]"))
        var loader = JobTreeLoader(root: dir.path, channels: ["ops", "pager"])
        let load = try loader.load()
        #expect(load.catalog == nil)
        #expect(load.diagnostics.filter { $0.severity == .error }.map { "\(URL(fileURLWithPath: $0.path).lastPathComponent):\($0.line):\($0.column): \($0.message)" } == [
            "p@h.yaml:6:11: unknown notification channel 'pagr' (did you mean 'pager'?); configured: ops, pager",
            "x@h.yaml:6:13: depends_on forms a cycle: x@h → y@h → z@h → x@h",
            "y@h.yaml:6:13: depends_on forms a cycle: x@h → y@h → z@h → x@h",
            "z@h.yaml:6:13: depends_on forms a cycle: x@h → y@h → z@h → x@h",
            "z@h.yaml:6:13: depends_on names job 'nobody@h', which is not in the tree",
        ])
    }
}
