import CronMetricsCore
import CronMetricsTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing
@testable import CronMetricsServer

/// Replicas sharing one PostgreSQL, in one process: live servers on one
/// database and one tree, and their coordinators driven by hand.
@Suite("Replicas on one PostgreSQL")
struct ReplicaTests {
    static func named(_ name: String) -> (inout ServerConfiguration) -> Void {
        { $0.ha.replicaName = name }
    }

    @Test("a result one replica takes is in the other's /metrics (NOTIFY of its id); one of the two leads")
    func stateSpreads() async throws {
        let fixture = try await ServerFixture(.postgres, jobs: "a", "b")
        try await fixture.app(Self.named("one")).test(.live) { one async throws in
            #expect(try await one.eventually(timeout: .seconds(30)) { try await $0.rawMetrics().contains(#"cronmetrics_leader{replica="one"} 1"#) })
            try await fixture.app(Self.named("two")).test(.live) { two async throws in
                #expect(try await two.rawMetrics().contains(#"cronmetrics_leader{replica="two"} 0"#), "the lock is taken: two follows")
                #expect(try await one.submit(#"{"job_name":"a","host":"web1","status":"failure","exit_code":3}"#, key: "key-a").0 == .created)
                #expect(try await two.eventually(timeout: .seconds(15)) { try await $0.value("cronjob_last_exit_code", "a") == "3" })
                #expect(try await two.submit(#"{"job_name":"b","host":"web1","status":"success"}"#, key: "key-b").0 == .created)
                #expect(try await one.eventually(timeout: .seconds(15)) { try await $0.value("cronjob_runs_total", "b") == "1" })
                // Both again, many times: no count doubles, none is lost.
                for n in 0..<20 {
                    let client = n % 2 == 0 ? one : two
                    #expect(try await client.submit(#"{"job_name":"a","host":"web1","status":"success"}"#, key: "key-a").0 == .created)
                }
                for client in [one, two] {
                    #expect(try await client.eventually(timeout: .seconds(15)) { try await $0.value("cronjob_runs_total", "a") == "21" })
                }
                #expect(try await Self.jobSeries(one) == Self.jobSeries(two))
                // Process metrics carry the replica's name; /health names both and the leader.
                let own = try await two.rawMetrics()
                #expect(own.contains(#"cronmetrics_store_up{replica="two"} 1"#))
                #expect(own.contains(#"cronmetrics_result_submissions_total{replica="two",outcome="accepted"} "#))
                #expect(try await two.eventually(timeout: .seconds(15)) { client in
                    let report = try await client.reply(HealthReport.self, .get, "/health", headers: ServerFixture.admin).1
                    return report.replicas?.map(\.name) == ["one", "two"] && report.leader == "one" && report.replica == "two"
                        && report.treesAgree == true && report.replicas?.allSatisfy(\.sameTree) == true
                })
                // Two has tried for the lock by now (its heartbeat is in): one lock, one leader.
                #expect(try await two.rawMetrics().contains(#"cronmetrics_leader{replica="two"} 0"#))
            }
        }
    }

    // Two replicas on different trees disagreeing (/health's trees_agree and same_tree,
    // cronmetrics_jobs_tree_info) is checked with real processes by scripts/e2e/ha.sh, check 8.

    /// The job-level lines of an exposition (process metrics left out).
    static func jobSeries(_ client: some TestClientProtocol) async throws -> [String] {
        try await client.metrics().split(separator: "\n").filter { $0.hasPrefix("cronjob_") }.map(String.init)
    }

    // How fast a takeover is, is measured by scripts/e2e/ha.sh (kill -9 of the leader, five times), not here.
    @Test("the leader stops: another takes the lock; the stopped one's connection ends its lead")
    func failover() async throws {
        let fixture = try await ServerFixture(.postgres, jobs: "a")
        let first = try await fixture.components(Self.named("first"))
        let second = try await fixture.components(Self.named("second"))
        let coordinator = { (components: ServerComponents) in
            ReplicaCoordinator(settings: try Self.settings(fixture), leadership: components.leadership, refresher: components.refresher,
                               metrics: components.metrics, interval: .milliseconds(200), now: { Date() }, logger: ServerFixture.quietLogger)
        }
        let leading = try coordinator(first)
        let task = Task { try await leading.run() }
        #expect(try await Self.eventually { first.leadership.isLeader })
        let following = try coordinator(second)
        let other = Task { try await following.run() }
        try await Task.sleep(for: .milliseconds(600))
        #expect(!second.leadership.isLeader, "one lock, one leader")
        task.cancel()
        #expect(try await Self.eventually { second.leadership.isLeader })
        #expect(!first.leadership.isLeader)
        let replicas = try await second.database.replicas()
        #expect(replicas.map(\.name) == ["first", "second"])
        #expect(replicas.filter(\.isLeader).map(\.name) == ["second"], "PostgreSQL's lock table names the leader")
        other.cancel()
        _ = await (task.result, other.result)
    }

    @Test("a follower saves a missed deadline only once it is overdue by ha.takeover_after; the leader's save makes its own a no-op",
          arguments: StoreBackend.allCases)
    func takeover(_ backend: StoreBackend) async throws {
        let fixture = try await ServerFixture(backend, jobs: "a", threshold: 60)
        let components = try await fixture.components()
        // Another replica, leading but frozen: it evaluates the same deadline later.
        var leader = fixture.deadlineService(try await fixture.components())
        leader.leadership = Leadership(replicaName: "leader", leading: true)
        let follower = Leadership(replicaName: "follower", leading: false)
        var service = fixture.deadlineService(components)
        (service.leadership, service.takeoverAfter) = (follower, .seconds(10))
        fixture.clock.advance(65)  // 5 s past the deadline
        await service.tick()
        #expect(try await fixture.rows("SELECT reason FROM flips WHERE job_id = 'a@web1' AND reason != 'lifecycle'").isEmpty, "not overdue long enough")
        fixture.clock.advance(6)  // 11 s past it
        await service.tick()
        #expect(try await fixture.rows("SELECT reason FROM flips WHERE job_id = 'a@web1' AND reason != 'lifecycle'") == ["deadline"])
        #expect(try await fixture.rows("SELECT missed_deadlines_total FROM job_state WHERE job_id = 'a@web1'") == ["1"])
        // The leader thaws and saves the same miss: nothing more is written.
        await leader.tick()
        #expect(try await fixture.rows("SELECT reason FROM flips WHERE job_id = 'a@web1' AND reason != 'lifecycle'") == ["deadline"])
        #expect(try await fixture.rows("SELECT missed_deadlines_total FROM job_state WHERE job_id = 'a@web1'") == ["1"])
    }

    static func settings(_ fixture: ServerFixture) throws -> PostgresSettings {
        guard case let .postgres(settings) = fixture.storage else { throw TestFailure("not PostgreSQL") }
        return settings
    }

    static func eventually(timeout: Duration = .seconds(30), _ condition: () -> Bool) async throws -> Bool {
        let end = ContinuousClock.now + timeout
        while ContinuousClock.now < end {
            if condition() { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return condition()
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// The dashboard behind round robin: two replicas on one PostgreSQL.
@Suite("The dashboard across replicas")
struct DashboardReplicaTests {
    @Test("a session from one replica holds on the other; a sign-out on either ends it on both at once; the sign-in limit counts both")
    func sharedSessions() async throws {
        let fixture = try await ServerFixture(.postgres, jobs: "a")
        try await fixture.app(ReplicaTests.named("one")).test(.router) { one async throws in
            try await fixture.app(ReplicaTests.named("two")).test(.router) { two async throws in
                let browser = Browser()
                #expect(try await browser.signIn(one, key: ServerFixture.adminKey).status == .seeOther)
                for round in 0..<5 {
                    #expect(try await browser.execute(two, "/dashboard/jobs/a@web1").status == .ok, "round \(round): signed in on two")
                    #expect(try await browser.execute(one, "/dashboard/jobs/a@web1").status == .ok, "round \(round): and on one")
                }
                // The cookie as it was before the sign-out (the browser drops it then; an attacker keeps a copy).
                let copy = Browser()
                copy.cookies = browser.cookies
                // The CSRF token one signed is good on two: one key.
                #expect(try await browser.execute(two, "/dashboard/signout", method: .post, form: ["csrf": browser.csrf ?? ""]).location
                        == "/dashboard/signin")
                for page in [try await copy.execute(one, "/dashboard/jobs/a@web1"), try await copy.execute(two, "/dashboard/jobs/a@web1")] {
                    #expect(page.status == .seeOther && page.location?.hasPrefix("/dashboard/signin") == true, "signed out everywhere")
                }
                // Ten wrong keys, alternating replicas: the eleventh try is refused on either.
                for round in 0..<5 {
                    #expect(try await Browser().signIn(one, key: "guess-\(round)").status == .unauthorized)
                    #expect(try await Browser().signIn(two, key: "guess-\(round)").status == .unauthorized)
                }
                #expect(try await Browser().signIn(one, key: ServerFixture.adminKey).status == .tooManyRequests)
                #expect(try await Browser().signIn(two, key: ServerFixture.adminKey).status == .tooManyRequests)
            }
        }
    }

    @Test("a live stream's check learns of a sign-out made on another replica from the mirror, which forgets expired sign-outs")
    func mirror() async throws {
        let fixture = try await ServerFixture(.postgres, jobs: "a")
        let (one, two) = (try await fixture.components(ReplicaTests.named("one")), try await fixture.components(ReplicaTests.named("two")))
        let now = fixture.clock.now
        try await two.database.revokeSession("gone", until: now.addingTimeInterval(600), now: now)
        // Written as another replica's revoke would leave it, and expired since.
        try await fixture.execute("INSERT INTO session_revocations (nonce, expires_at) VALUES ('expired', \(now.timeIntervalSince1970 - 1))")
        let revocations = one.sessionSigner.revocations
        #expect(!revocations.isRevoked("gone"))
        // A sign-out one made while the store did not answer: the mirror's pass writes it.
        revocations.keepUnshared("late", until: now.addingTimeInterval(600))
        try await SessionMirror(database: one.database, revocations: revocations, interval: .seconds(1), now: { now }).pull()
        #expect(revocations.isRevoked("gone") && !revocations.isRevoked("expired"))
        #expect(try await two.database.isSessionRevoked("late"), "written to the store for every replica")
        #expect(revocations.takeUnshared().isEmpty)
        #expect(one.sessionSigner.key == two.sessionSigner.key, "one signing key for both")
    }
}

@Suite("The job-state re-reader")
struct StateRefresherTests {
    final class Returned: Sendable {
        let flag = Atomic<Bool>(false)
    }

    @Test("a re-reader whose reads fail (the store closed at shutdown) stops when finished, instead of retrying for ever")
    func stopsWhenFinished() async throws {
        let fixture = try await ServerFixture(.sqlite, jobs: "a")
        let components = try await fixture.components()
        try await components.database.close()
        let (refresher, returned) = (components.refresher, Returned())
        let running = Task {
            await refresher.run()
            returned.flag.store(true, ordering: .releasing)
        }
        refresher.refresh([JobID(jobName: "a", host: "web1")])
        try await Task.sleep(for: .milliseconds(200))  // the read has failed and waits to retry
        refresher.finish()
        #expect(try await ReplicaTests.eventually { returned.flag.load(ordering: .acquiring) }, "run() returned")
        running.cancel()
    }
}
