import CronMetricsTestSupport
import Foundation
import Testing
@testable import CronMetricsCore

@Suite("Notification outbox: events written with the change that causes them")
struct OutboxTests {
    static let base = Date(timeIntervalSince1970: 1_800_000_000)

    /// A database with the jobs of `files` reconciled into it.
    struct Fixture {
        let dir: TempDir
        let database: StateStore
        /// Where it is: a second store opened there is another replica's.
        let location: StorageLocation
        let reconciler: Reconciler
        let settings: NotificationSettings

        init(_ backend: StoreBackend, _ files: [String: String], repeatInterval: Double? = nil) async throws {
            dir = try TempDir()
            for (name, text) in files { try dir.write("jobs.d/\(name).yaml", text) }
            location = try await backend.location(in: dir.path)
            database = try await StateStore.open(location, logger: StoreBackend.quietLogger, retryFor: .seconds(5))
            reconciler = Reconciler(root: "\(dir.path)/jobs.d", database: database) { OutboxTests.base }
            _ = try await reconciler.reconcile()
            let hook = ChannelDefinition(name: "ops", target: .webhook(.init(url: "http://127.0.0.1:1/", method: "POST", headers: [],
                                                                              template: nil, secret: nil)),
                                         concurrency: 4, source: "test", secretSources: [])
            let chat = ChannelDefinition(name: "chat", target: .slack(url: "http://127.0.0.1:1/"), concurrency: 4, source: "test", secretSources: [])
            settings = NotificationSettings(channels: [hook, chat], defaultChannels: ["chat"], repeatInterval: repeatInterval,
                                            externalURL: "https://cron.example.com/")
        }

        func result(_ job: String, _ status: RunStatus, at seconds: Double, exitCode: Int? = nil, output: String? = nil) async throws {
            let id = JobID(jobName: job, host: "h")
            _ = try await database.store([.result(JobResult(jobID: id, receivedAt: OutboxTests.base + seconds, status: status,
                                                            exitCode: exitCode, output: output))],
                                         notifications: settings, now: OutboxTests.base + seconds)
        }

        func rows() async throws -> [NotificationRecord] {
            try await database.notifications(.init(), limit: 1000).notifications.reversed()
        }
    }

    static func job(_ name: String, _ extra: String = "") -> String {
        "version: 1\njob_name: \(name)\nhost: h\nautomatic_failure_threshold: 1h\nlabels: {team: infra}\n\(extra)"
    }

    @Test("down on failure, nothing while it stays down, up on success; one row per channel, one event id", arguments: StoreBackend.allCases)
    func downAndUp(_ backend: StoreBackend) async throws {
        let fixture = try await Fixture(backend, ["a@h": Self.job("a", "notify: [ops, chat]")])
        try await fixture.result("a", .success, at: 1)
        #expect(try await fixture.rows().isEmpty, "pending → success is no event")
        try await fixture.result("a", .failure, at: 2, exitCode: 3, output: String(repeating: "x", count: 9000) + "disk full")
        try await fixture.result("a", .failure, at: 3)
        var rows = try await fixture.rows()
        #expect(rows.map(\.channel) == ["ops", "chat"])
        #expect(Set(rows.map(\.eventId)).count == 1)
        let event = try #require(rows.first?.event)
        #expect(event.kind == .down && event.previousStatus == "success" && event.status == "failure")
        #expect(event.labels == ["team": "infra"])
        #expect(event.lastRun?.exitCode == 3)
        #expect(event.lastRun?.output?.hasSuffix("disk full") == true)
        #expect(event.lastRun?.output?.utf8.count == NotificationEvent.outputLimit)
        #expect(event.url == "https://cron.example.com/dashboard/jobs/a@h")
        #expect(event.summary == "a@h is DOWN: failure (exit code 3)")
        try await fixture.result("a", .success, at: 4)
        rows = try await fixture.rows()
        #expect(rows.map(\.kind) == ["down", "down", "up", "up"])
        #expect(rows.last?.event.previousStatus == "failure")
        #expect(rows.allSatisfy { $0.state == "pending" && $0.attempts == 0 })
    }

    @Test("one batch stores what its signals store one by one: rounds of jobs, a job twice, runs, logs, quiet jobs",
          arguments: StoreBackend.allCases)
    func batchEqualsOneByOne(_ backend: StoreBackend) async throws {
        let files = ["a@h": Self.job("a", "notify: [ops, chat]"), "b@h": Self.job("b"), "c@h": Self.job("c", "status: paused"),
                     "d@h": Self.job("d"), "e@h": Self.job("e"), "f@h": Self.job("f", "notify: [ops]"), "g@h": Self.job("g", "notify: []")]
        func id(_ name: String) -> JobID { JobID(jobName: name, host: "h") }
        func result(_ name: String, _ status: RunStatus, _ seconds: Double, openRun: Bool = false) -> Signal {
            var result = JobResult(jobID: id(name), receivedAt: Self.base + seconds, status: status, exitCode: status == .failure ? 2 : nil)
            result.openRunExpected = openRun
            return .result(result)
        }
        let signals: [Signal] = [
            result("a", .success, 1), result("b", .failure, 1), result("c", .failure, 1), .start(jobID: id("d"), runID: nil, at: Self.base),
            result("a", .failure, 2), result("f", .failure, 2), result("e", .log, 2), result("d", .success, 3, openRun: true),
            result("f", .success, 3), result("g", .failure, 3), result("b", .failure, 4), result("g", .success, 4),
        ]
        let batch = try await Fixture(backend, files), single = try await Fixture(backend, files)
        let stored = try await batch.database.store(signals, notifications: batch.settings, now: Self.base + 5)
        for signal in signals { _ = try await single.database.store([signal], notifications: single.settings, now: Self.base + 5) }

        // Answers in the signals' order, each its own row.
        #expect(stored.map { switch $0 { case let .start(job, _, _): job; case let .result(result): result.jobID } } == signals.map(\.jobID))
        let ids = stored.compactMap { if case let .result(result) = $0 { result.id } else { nil } }
        #expect(ids.count == 11 && Set(ids).count == 11)
        guard case let .result(closing) = stored[7] else { Issue.record("not a result: \(stored[7])"); return }
        #expect(closing.closedRun != nil && closing.duration == 3)

        #expect(try await batch.database.fetchStates() == (try await single.database.fetchStates()))
        for name in ["a", "b", "c", "d", "e", "f", "g"] {
            let (mine, theirs) = (try await batch.database.fetchResults(for: id(name), limit: 10),
                                  try await single.database.fetchResults(for: id(name), limit: 10))
            #expect(mine.map(\.status) == theirs.map(\.status) && mine.map(\.duration) == theirs.map(\.duration), "\(name)")
        }
        func outbox(_ fixture: Fixture) async throws -> [String] {
            try await fixture.rows().map { "\($0.jobId) \($0.channel) \($0.kind) \($0.event.previousStatus)→\($0.event.status)" }
        }
        #expect(try await outbox(batch) == [
            "b@h chat down pending→failure", "a@h ops down success→failure", "a@h chat down success→failure",
            "f@h ops down pending→failure", "f@h ops up failure→success",
        ])
        #expect(try await outbox(batch) == (try await outbox(single)))
    }

    @Test("channels: the job's notify, else the defaults; notify: [] sends nothing", arguments: StoreBackend.allCases)
    func routing(_ backend: StoreBackend) async throws {
        let fixture = try await Fixture(backend, ["d@h": Self.job("d"), "n@h": Self.job("n", "notify: []")])
        try await fixture.result("d", .failure, at: 1)
        try await fixture.result("n", .failure, at: 1)
        #expect(try await fixture.rows().map { "\($0.jobId) \($0.channel)" } == ["d@h chat"])
    }

    @Test("a paused job stays quiet, and its down is announced once it is active again", arguments: StoreBackend.allCases)
    func quietUntilActive(_ backend: StoreBackend) async throws {
        let fixture = try await Fixture(backend, ["p@h": Self.job("p", "status: paused\nnotify: [ops]")])
        try await fixture.result("p", .failure, at: 1)
        #expect(try await fixture.rows().isEmpty)
        #expect(try await fixture.database.announcePending(fixture.settings, now: Self.base + 2) == 0, "still paused")
        try fixture.dir.write("jobs.d/p@h.yaml", Self.job("p", "notify: [ops]"))
        _ = try await fixture.reconciler.reconcile()
        #expect(try await fixture.database.announcePending(fixture.settings, now: Self.base + 3) == 1)
        #expect(try await fixture.database.announcePending(fixture.settings, now: Self.base + 4) == 0, "announced once")
        try await fixture.result("p", .success, at: 5)
        #expect(try await fixture.rows().map(\.kind) == ["down", "up"])
    }

    @Test("no up for a down that was never announced", arguments: StoreBackend.allCases)
    func noUpWithoutDown(_ backend: StoreBackend) async throws {
        let fixture = try await Fixture(backend, ["m@h": Self.job("m", "status: maintenance\nnotify: [ops]")])
        try await fixture.result("m", .failure, at: 1)
        try await fixture.result("m", .success, at: 2)
        try fixture.dir.write("jobs.d/m@h.yaml", Self.job("m", "notify: [ops]"))
        _ = try await fixture.reconciler.reconcile()
        #expect(try await fixture.database.announcePending(fixture.settings, now: Self.base + 3) == 0)
        #expect(try await fixture.rows().isEmpty)
    }

    @Test("a missed deadline is a down, unless a signal was committed after the silence was found", arguments: StoreBackend.allCases)
    func missedDeadline(_ backend: StoreBackend) async throws {
        let fixture = try await Fixture(backend, ["a@h": Self.job("a", "notify: [ops]"), "b@h": Self.job("b", "notify: [ops]"),
                                                  "c@h": Self.job("c", "notify: [ops]")])
        for job in ["a", "b", "c"] { try await fixture.result(job, .success, at: 1) }
        var missed: [Bookkeeping] = []
        for job in ["a", "b", "c"] {
            missed.append(Bookkeeping(jobID: JobID(jobName: job, host: "h"), missedDeadlinesTotal: 1, missedAnchor: Self.base + 1,
                                      activatedAt: nil, version: try await FlipTests.version(fixture.database, job)))
        }
        // b reports after the tick that found both silent since second 1.
        try await fixture.result("b", .success, at: 3700)
        // c reports at the very instant of its last result (the clock was
        // stepped back): no time tells the stale count apart, its version does.
        try await fixture.result("c", .success, at: 1)
        try await fixture.database.save(PendingChanges(bookkeeping: missed), notifications: fixture.settings, now: Self.base + 3702)
        try await fixture.database.save(PendingChanges(bookkeeping: missed), notifications: fixture.settings, now: Self.base + 3703)
        let rows = try await fixture.rows()
        #expect(rows.map(\.jobId) == ["a@h"], "one down, for a only, however often the bookkeeping is saved")
        #expect(rows.first?.event.status == "missed_deadline")
        let anchors = try await fixture.database.driver.read { db in
            try db.query("SELECT job_id, missed_anchor FROM job_state ORDER BY job_id").map {
                "\(try $0.string("job_id"))=\(try $0.optionalDouble("missed_anchor").map { _ in "set" } ?? "none")"
            }
        }
        #expect(anchors == ["a@h=set", "b@h=none", "c@h=none"], "a result clears the anchor; a stale count does not restore it")
    }

    @Test("a run closed by max_runtime is a down with status timeout", arguments: StoreBackend.allCases)
    func timeout(_ backend: StoreBackend) async throws {
        let fixture = try await Fixture(backend, ["a@h": Self.job("a", "notify: [ops]")])
        let id = JobID(jobName: "a", host: "h")
        let stored = try await fixture.database.store([.start(jobID: id, runID: nil, at: Self.base)], notifications: fixture.settings)
        guard case let .start(_, run, _) = stored.first else { Issue.record("no run"); return }
        let change = PendingChanges(timeouts: [TimedOutRun(jobID: id, runID: run.id, at: Self.base + 60)])
        try await fixture.database.save(change, notifications: fixture.settings, now: Self.base + 61)
        try await fixture.database.save(change, notifications: fixture.settings, now: Self.base + 62)
        #expect(try await fixture.rows().map { "\($0.kind) \($0.event.status)" } == ["down timeout"])
    }

    @Test("repeat_interval re-sends down while it lasts, counting the reminders", arguments: StoreBackend.allCases)
    func repeats(_ backend: StoreBackend) async throws {
        let fixture = try await Fixture(backend, ["a@h": Self.job("a", "notify: [ops]")], repeatInterval: 3600)
        try await fixture.result("a", .failure, at: 0)
        #expect(try await fixture.database.announcePending(fixture.settings, now: Self.base + 1800) == 0)
        #expect(try await fixture.database.announcePending(fixture.settings, now: Self.base + 3601) == 1)
        #expect(try await fixture.database.announcePending(fixture.settings, now: Self.base + 3700) == 0)
        #expect(try await fixture.database.announcePending(fixture.settings, now: Self.base + 7300) == 1)
        let counts = try await fixture.rows().map(\.event.repeatCount)
        #expect(counts == [0, 1, 2])
        #expect(try await fixture.rows().last?.event.summary == "a@h is DOWN: failure (still down, reminder 2)")
    }

    @Test("a replica's claims: others skip them until the lease runs out, then send them with the same event id; its own come back only at its restart",
          arguments: StoreBackend.allCases)
    func claimLeases(_ backend: StoreBackend) async throws {
        let fixture = try await Fixture(backend, ["a@h": Self.job("a", "notify: [ops]")])
        try await fixture.result("a", .failure, at: 1)
        let now = Self.base + 10
        let taken = try await fixture.database.claimNotifications(channel: "ops", now: now, limit: 10, claimant: "one", lease: .seconds(30))
        #expect(taken.count == 1)
        // "one" dies here, mid-delivery.
        #expect(try await fixture.database.claimNotifications(channel: "ops", now: now + 29, limit: 10, claimant: "two", lease: .seconds(30)).isEmpty)
        #expect(try await fixture.database.releaseClaims(channel: "ops", claimant: "two") == 0, "a worker releases only its own claims")
        #expect(try await fixture.database.resetSending(claimant: "two") == 0, "a replica's start resets only its own claims")
        #expect(try await fixture.database.notificationsDue(channel: "ops", now: now + 29, claimant: "two") == (false, now + 30),
                "due again when the lease ends")
        #expect(try await fixture.database.claimNotifications(channel: "ops", now: now + 31, limit: 10, claimant: "one", lease: .seconds(30)).isEmpty,
                "never to its own claimant, whose delivery may still be in flight")
        #expect(try await fixture.database.notificationsDue(channel: "ops", now: now + 31, claimant: "one") == (false, nil))
        let late = try await fixture.database.claimNotifications(channel: "ops", now: now + 31, limit: 10, claimant: "two", lease: .seconds(30))
        #expect(late.map(\.record.id) == taken.map(\.record.id))
        #expect(late.map(\.record.eventId) == taken.map(\.record.eventId))
        #expect(try await fixture.database.resetSending(claimant: "two") == 1)
    }

    @Test("claim, retry, dead letter, requeue, delete; a crash's claims go back to pending", arguments: StoreBackend.allCases)
    func lifecycle(_ backend: StoreBackend) async throws {
        let fixture = try await Fixture(backend, ["a@h": Self.job("a", "notify: [ops, chat]")])
        try await fixture.result("a", .failure, at: 1)
        let now = Self.base + 10
        let claimed = try await fixture.database.claimNotifications(channel: "ops", now: now, limit: 10)
        #expect(claimed.map(\.record.state) == ["sending"])
        #expect(try await fixture.database.claimNotifications(channel: "ops", now: now, limit: 10).isEmpty, "claimed once")
        #expect(try await fixture.database.resetSending() == 1)
        let again = try await fixture.database.claimNotifications(channel: "ops", now: now, limit: 10)
        let id = try #require(again.first?.record.id)
        try await fixture.database.recordDeliveries([(id, .retry(at: now, next: now + 30, status: 503, error: "HTTP 503: busy"))])
        #expect(try await fixture.database.notificationsDue(channel: "ops", now: now) == (false, now + 30))
        _ = try await fixture.database.claimNotifications(channel: "ops", now: now + 31, limit: 10)
        try await fixture.database.recordDeliveries([(id, .dead(at: now, status: 410, error: "HTTP 410: gone"))])
        let dead = try #require(try await fixture.database.notification(id: id))
        #expect(dead.state == "dead" && dead.attempts == 2 && dead.lastStatus == 410 && dead.lastError == "HTTP 410: gone")
        #expect(try await fixture.database.notificationCounts() == ["ops": ["dead": 1], "chat": ["pending": 1]])
        guard case .notDead = try await fixture.database.requeueNotification(id: id + 1, now: now) else {
            Issue.record("a pending row is not requeued"); return
        }
        guard case let .requeued(record) = try await fixture.database.requeueNotification(id: id, now: now + 100) else {
            Issue.record("not requeued"); return
        }
        #expect(record.state == "pending" && record.attempts == 0 && record.nextAttemptAt == now + 100)
        _ = try await fixture.database.claimNotifications(channel: "ops", now: now + 100, limit: 10)
        try await fixture.database.recordDeliveries([(id, .dead(at: now, status: 410, error: "HTTP 410: gone"))])
        #expect(try await fixture.database.requeueNotifications(.init(channel: "chat"), now: now) == 0, "chat has no dead letter")
        #expect(try await fixture.database.deleteDeadNotifications(.init(channel: "ops")) == 1)
        #expect(try await fixture.rows().map(\.channel) == ["chat"])
    }

    @Test("retention deletes delivered notifications of its time; dead letters stay", arguments: StoreBackend.allCases)
    func retention(_ backend: StoreBackend) async throws {
        let fixture = try await Fixture(backend, ["a@h": Self.job("a", "notify: [ops, chat]")])
        try await fixture.result("a", .failure, at: 1)
        let ops = try await fixture.database.claimNotifications(channel: "ops", now: Self.base + 5, limit: 1)
        let chat = try await fixture.database.claimNotifications(channel: "chat", now: Self.base + 5, limit: 1)
        try await fixture.database.recordDeliveries([
            (try #require(ops.first?.record.id), .delivered(at: Self.base + 5, status: 200)),
            (try #require(chat.first?.record.id), .dead(at: Self.base + 5, status: 404, error: "HTTP 404")),
        ])
        _ = try await fixture.database.purge(olderThan: Self.base + 86_400, keepLast: 0)
        #expect(try await fixture.rows().map(\.state) == ["dead"])
    }
}
