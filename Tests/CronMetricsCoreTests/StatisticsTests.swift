import CronMetricsTestSupport
import Foundation
import Testing
@testable import CronMetricsCore

/// Rollups written with each result, miss and timeout, and the statistics
/// read from them and the flips: known answers from a generated history, on
/// both stores.
@Suite("Statistics: rollups, flips and known answers")
struct StatisticsTests {
    typealias Fixture = OutboxTests.Fixture
    static let base = OutboxTests.base  // 08:00 UTC
    static let a = JobID(jobName: "a", host: "h")

    static func relativeError(_ estimate: Double?, _ exact: Double) -> Double {
        guard let estimate else { return .infinity }
        return abs(estimate - exact) / exact
    }

    /// The nearest-rank percentile of sorted values.
    static func exact(_ sorted: [Double], _ q: Double) -> Double {
        sorted[max(1, Int((q * Double(sorted.count)).rounded(.up))) - 1]
    }

    @Test("the sketch answers p50/p95/p99 within 1% of the exact sorted values; merged sketches equal one of all the values")
    func sketchAccuracy() {
        var random = SeededRandom(seed: 23)
        for round in 0..<20 {
            let count = Int.random(in: 1...5_000, using: &random)
            // Log-uniform from a millisecond to a day: every scale of duration.
            let values = (0..<count).map { _ in pow(10, Double.random(in: -3...4.9, using: &random)) }
            let sketch = DurationSketch(values)
            let sorted = values.sorted()
            for q in [0.5, 0.95, 0.99] {
                #expect(Self.relativeError(sketch.quantile(q), Self.exact(sorted, q)) <= 0.01, "round \(round), q \(q)")
            }
            var merged = DurationSketch(values.prefix(count / 2))
            merged.merge(DurationSketch(values.dropFirst(count / 2)))
            #expect(merged == sketch)
            #expect(DurationSketch(json: sketch.json) == sketch)
        }
        #expect(DurationSketch().quantile(0.5) == nil)
        #expect(DurationSketch([0, 0.0001]).quantile(0.99) == 0, "under half a millisecond counts as zero")
        #expect(DurationSketch(json: "{\"x\":1}") == nil)
    }

    /// Stores one result of job `a`.
    static func result(_ fixture: Fixture, _ status: RunStatus, at seconds: Double, duration: Double? = nil) async throws {
        _ = try await fixture.database.store([.result(JobResult(jobID: a, receivedAt: base + seconds, status: status, duration: duration))],
                                             notifications: fixture.settings, now: base + seconds)
    }

    /// A missed deadline of job `a`, saved at `seconds`.
    static func miss(_ fixture: Fixture, at seconds: Double) async throws {
        let missed = try await FlipTests.missed("a", anchor: seconds - 3_600, in: fixture.database)
        try await fixture.database.save(missed, notifications: fixture.settings, now: base + seconds)
    }

    /// A run of job `a` started at `seconds` and timed out a minute later.
    static func timeout(_ fixture: Fixture, at seconds: Double) async throws {
        let stored = try await fixture.database.store([.start(jobID: a, runID: nil, at: base + seconds)])
        guard case let .start(_, run, _) = stored.first else { Issue.record("no run"); return }
        try await fixture.database.save(PendingChanges(timeouts: [TimedOutRun(jobID: a, runID: run.id, at: base + seconds + 60)]),
                                        notifications: fixture.settings, now: base + seconds + 61)
    }

    static func rollups(_ store: StateStore) async throws -> [String] {
        try await store.driver.read { db in
            try db.query("""
                SELECT job_id, grain, start, runs, successes, failures, missed, timeouts, duration_max, sketch FROM rollups
                ORDER BY job_id, grain, start
                """).map { row in
                let sketch: String = try row.optionalString("sketch").flatMap(DurationSketch.init(json:))?.json ?? "-"
                let counts: [Int64] = [try row.int("successes"), try row.int("failures"), try row.int("missed"), try row.int("timeouts")]
                let key = "\(try row.string("job_id")) \(try row.int("grain")) \(try row.double("start")) \(try row.int("runs"))"
                let maximum: String = try row.optionalDouble("duration_max").map { "\($0)" } ?? "-"
                return "\(key) \(counts) \(maximum) \(sketch)"
            }
        }
    }

    @Test("a generated history: counts, ratios, percentiles and uptime as computed by hand; the rollups equal a rebuild",
          arguments: StoreBackend.allCases)
    func generatedHistory(_ backend: StoreBackend) async throws {
        let fixture = try await Fixture(backend, ["a@h": OutboxTests.job("a")])
        var random = SeededRandom(seed: 7)
        var durations: [Double] = []
        var (successes, failures) = (0, 0)
        // Three days of a job that runs every 20 minutes; a failing spell on day two.
        var failingFrom: Double?, failingTo: Double?
        for run in 0..<(3 * 72) {
            let at = Double(run) * 1_200 + 30
            let failing = (100..<112).contains(run)
            let duration = pow(10, Double.random(in: -1...3, using: &random))
            durations.append(duration)
            if failing {
                failures += 1
                if failingFrom == nil { failingFrom = at }
            } else {
                successes += 1
                if failingFrom != nil, failingTo == nil { failingTo = at }
            }
            try await Self.result(fixture, failing ? .failure : .success, at: at, duration: duration)
        }
        // Then silence: two deadlines missed, a run that times out, and a success.
        let end = 3 * 86_400.0
        try await Self.miss(fixture, at: end + 3_600)
        try await Self.miss(fixture, at: end + 7_200)
        try await Self.timeout(fixture, at: end + 8_000)
        try await Self.result(fixture, .success, at: end + 9_000, duration: 1)
        durations.append(1)
        successes += 1
        let now = Self.base + end + 10_000
        let window = try StatsWindow(window: nil, from: RFC3339.format(Self.base), to: RFC3339.format(now), now: now)
        let history = try #require(try await fixture.database.histories([Self.a], window: window)[Self.a])
        let statistics = JobStatistics(window: window, counts: history.counts, timelines: [history.timeline], streak: history.streak)
        #expect(statistics.successes == successes)
        #expect(statistics.failures == failures)
        #expect(statistics.missedDeadlines == 2)
        #expect(statistics.timeouts == 1)
        #expect(statistics.runs == successes + failures + 3, "a missed deadline and a timeout count as failed runs")
        #expect(statistics.successRatio == Double(successes) / Double(successes + failures + 3))
        let sorted = durations.sorted()
        for (q, estimate) in [(0.5, statistics.duration.p50), (0.95, statistics.duration.p95), (0.99, statistics.duration.p99)] {
            #expect(Self.relativeError(estimate, Self.exact(sorted, q)) <= 0.01, "p\(Int(q * 100))")
        }
        #expect(statistics.duration.max == sorted.last)
        #expect(statistics.duration.count == durations.count)
        // Failing: the spell on day two, and from the first miss to the last success.
        let spell = try #require(failingTo) - (try #require(failingFrom))
        let silence = 9_000.0 - 3_600
        #expect(statistics.secondsFailing == spell + silence)
        #expect(statistics.secondsCounted == now.timeIntervalSince(Self.base))
        #expect(statistics.outages == 2)
        #expect(statistics.longestOutageSeconds == max(spell, silence))
        #expect(statistics.meanTimeBetweenFailuresSeconds == (statistics.secondsCounted - statistics.secondsFailing) / 2)
        #expect(statistics.currentStreak == .init(status: "success", runs: 1, since: Self.base + end + 9_000))
        // The rollups the writes made are those a rebuild from the raw history makes.
        let written = try await Self.rollups(fixture.database)
        // 72 hours of runs, two more hours after the silence; UTC days D (from 08:00) to D+3.
        let expectedRows: Int = 74 + 4
        #expect(written.count == expectedRows, "an hourly row per hour with runs, a daily row per day")
        let (from, rows) = try await fixture.database.rebuildRollups(since: Self.base)
        #expect(from == Self.base - 8 * 3_600, "the UTC day it starts in")
        #expect(rows == written.count)
        #expect(try await Self.rollups(fixture.database) == written)
    }

    @Test("the stored sketch is read by hand as JSON reads it: SQLite's form, PostgreSQL's spaces, negative keys, zero; anything else is not a sketch")
    func sketchText() {
        #expect(DurationSketch.parse(#"{"-12":3,"40":1,"z":2}"#) == ["-12": 3, "40": 1, "z": 2])
        #expect(DurationSketch.parse(#"{"40": 1, "-12": 3}"#) == ["-12": 3, "40": 1], "jsonb's text")
        #expect(DurationSketch.parse("{}") == [:] && DurationSketch.parse(#"{"5":0}"#) == [:])
        for bad in [#"{"x":1}"#, #"{"5":-1}"#, #"{"5":1"#, #"{"5":1}x"#, #"{"5":1.5}"#, "", "[]", #"{"":1}"#] {
            #expect(DurationSketch.parse(bad) == nil, "\(bad)")
            #expect(bad.contains("1.5") || DurationSketch(json: bad) == nil, "\(bad): JSON, tried next, refuses it too")
        }
        let sketch = DurationSketch([0.0001, 0.5, 1, 60, 3_600, 3_600])
        #expect(DurationSketch(json: sketch.json) == sketch)
        #expect(DurationSketch.merged(sketch.json, nil) == sketch.json && DurationSketch.merged(nil, sketch.json) == sketch.json)
    }

    @Test("a miss while missing deadlines already is a flip too, and a failed run in the streak", arguments: StoreBackend.allCases)
    func streaksAndRepeatedMisses(_ backend: StoreBackend) async throws {
        let fixture = try await Fixture(backend, ["a@h": OutboxTests.job("a")])
        try await Self.result(fixture, .success, at: 10)
        try await Self.result(fixture, .success, at: 20)
        var history = try await fixture.database.histories([Self.a], window: try StatsWindow(named: "24h", now: Self.base + 100))[Self.a]
        #expect(history?.streak == .init(status: "success", runs: 2, since: Self.base + 10))
        try await Self.result(fixture, .failure, at: 30)
        try await Self.miss(fixture, at: 3_700)
        try await Self.miss(fixture, at: 7_300)
        history = try await fixture.database.histories([Self.a], window: try StatsWindow(named: "24h", now: Self.base + 8_000))[Self.a]
        #expect(history?.streak == .init(status: "failing", runs: 3, since: Self.base + 30))
        #expect(history?.counts.missedDeadlines == 2)
        let flips = try await FlipTests.flips(fixture.database, "a")
        #expect(flips.map(\.to) == ["success", "failure", "missed_deadline", "missed_deadline"])
        #expect(flips.last?.from == "missed_deadline")
    }

    @Test("adding, pausing, removing and re-adding a job writes lifecycle flips once, also from a second replica",
          arguments: StoreBackend.allCases)
    func lifecycleFlips(_ backend: StoreBackend) async throws {
        let fixture = try await Fixture(backend, ["a@h": OutboxTests.job("a")])
        let file = "\(fixture.dir.path)/jobs.d/a@h.yaml"
        func life() async throws -> [String] {
            try await fixture.database.flips(for: Self.a, limit: 100).reversed().filter(\.isLifecycle)
                .map { "\($0.from ?? "-")>\($0.to)\($0.until.map { "@\(Int($0.timeIntervalSince(Self.base)))" } ?? "")" }
        }
        #expect(try await life() == ["->active"])
        try OutboxTests.job("a", "status: maintenance\nmaintenance_until: \(RFC3339.format(Self.base + 7_200))\n")
            .write(toFile: file, atomically: true, encoding: .utf8)
        _ = try await fixture.reconciler.reconcile()
        // Another replica reconciles the same tree: the store has the change already.
        let other = try await StateStore.open(fixture.location, logger: StoreBackend.quietLogger)
        _ = try await Reconciler(root: "\(fixture.dir.path)/jobs.d", database: other) { Self.base + 5 }.reconcile()
        try await other.close()
        #expect(try await life() == ["->active", "active>maintenance@7200"])
        try FileManager.default.removeItem(atPath: file)
        _ = try await fixture.reconciler.reconcile()
        try OutboxTests.job("a").write(toFile: file, atomically: true, encoding: .utf8)
        _ = try await fixture.reconciler.reconcile()
        #expect(try await life() == ["->active", "active>maintenance@7200", "maintenance>removed", "removed>active"])
        // Retention keeps each job's newest lifecycle flip, however old.
        _ = try await fixture.database.purgeHistory(before: Self.base + 86_400)
        #expect(try await life() == ["removed>active"])
    }

    @Test("removed for an hour, re-added, then renamed: uptime counts only the time the job was there; a rename starts a new history",
          arguments: StoreBackend.allCases)
    func removedAndRenamed(_ backend: StoreBackend) async throws {
        let fixture = try await Fixture(backend, ["a@h": OutboxTests.job("a")])
        let jobs = "\(fixture.dir.path)/jobs.d"
        func reconcile(at seconds: Double) async throws {
            _ = try await Reconciler(root: jobs, database: fixture.database) { Self.base + seconds }.reconcile()
        }
        try await Self.result(fixture, .success, at: 10)
        try await Self.result(fixture, .failure, at: 600)
        try FileManager.default.removeItem(atPath: "\(jobs)/a@h.yaml")
        try await reconcile(at: 1_800)
        try OutboxTests.job("a").write(toFile: "\(jobs)/a@h.yaml", atomically: true, encoding: .utf8)
        try await reconcile(at: 5_400)
        try await Self.result(fixture, .success, at: 6_000)
        let window = StatsWindow(from: Self.base, to: Self.base + 7_200)
        var a = try #require(try await fixture.database.histories([Self.a], window: window)[Self.a])
        #expect((a.counts.runs, a.counts.successes, a.counts.failures) == (3, 2, 1))
        #expect(a.timeline.countedSeconds == 1_800 + 1_800, "not the hour it was gone")
        #expect(a.timeline.failingSeconds == 1_200 + 600, "failing until removed, and again from its return until its success")
        #expect(a.timeline.uptimeRatio == 0.5)
        // Renamed at 6,600: a@h is removed, b@h is new; a keeps its history, b starts with none.
        try FileManager.default.removeItem(atPath: "\(jobs)/a@h.yaml")
        try OutboxTests.job("b").write(toFile: "\(jobs)/b@h.yaml", atomically: true, encoding: .utf8)
        try await reconcile(at: 6_600)
        let b = JobID(jobName: "b", host: "h")
        let both = try await fixture.database.histories([Self.a, b], window: window)
        a = try #require(both[Self.a])
        #expect(a.counts.runs == 3 && a.timeline.countedSeconds == 1_800 + 1_200)
        let renamed = try #require(both[b])
        #expect(renamed.counts.runs == 0 && renamed.counts.successRatio == nil)
        #expect(renamed.timeline.countedSeconds == 600 && renamed.timeline.failingSeconds == 0, "from its first sight on")
    }

    @Test("a run that timed out and then reports is one run (the timeout), also after a rebuild; its result still sets the state",
          arguments: StoreBackend.allCases)
    func lateResultAfterTimeout(_ backend: StoreBackend) async throws {
        let fixture = try await Fixture(backend, ["a@h": OutboxTests.job("a")])
        let stored = try await fixture.database.store([.start(jobID: Self.a, runID: "r1", at: Self.base + 10)])
        guard case let .start(_, run, _) = stored.first else { Issue.record("no run"); return }
        try await fixture.database.save(PendingChanges(timeouts: [TimedOutRun(jobID: Self.a, runID: run.id, at: Self.base + 70)]),
                                        notifications: fixture.settings, now: Self.base + 71)
        var late = JobResult(jobID: Self.a, receivedAt: Self.base + 600, status: .success, duration: 590)
        late.runID = "r1"
        let answer = try await fixture.database.store([.result(late)], notifications: fixture.settings, now: Self.base + 600)
        guard case let .result(closing) = answer.first else { Issue.record("no result"); return }
        #expect(closing.closedRun == run.id, "the late result closes the timed-out run")
        let window = StatsWindow(from: Self.base, to: Self.base + 3_600)
        let counts = try #require(try await fixture.database.histories([Self.a], window: window)[Self.a]?.counts)
        #expect((counts.runs, counts.timeouts, counts.successes) == (1, 1, 0))
        let written = try await Self.rollups(fixture.database)
        _ = try await fixture.database.rebuildRollups(since: Self.base)
        #expect(try await Self.rollups(fixture.database) == written, "a rebuild counts it once too")
        #expect(try await FlipTests.flips(fixture.database, "a").map(\.to) == ["timeout", "success"])
    }

    @Test("a past window without a flip inside starts in the state its next flip left, not today's; a window past now ends now",
          arguments: StoreBackend.allCases)
    func pastWindows(_ backend: StoreBackend) async throws {
        let fixture = try await Fixture(backend, ["a@h": OutboxTests.job("a")])
        try await Self.result(fixture, .success, at: 10)
        try await Self.result(fixture, .failure, at: 600)
        try await Self.result(fixture, .success, at: 1_200)
        func timeline(_ from: Double, _ to: Double) async throws -> Timeline? {
            try await fixture.database.histories([Self.a], window: StatsWindow(from: Self.base + from, to: Self.base + to))[Self.a]?.timeline
        }
        #expect(try await timeline(700, 1_100)?.failingSeconds == 400, "failing all along, though it is up today")
        #expect(try await timeline(100, 500)?.failingSeconds == 0)
        #expect(try await timeline(1_300, 1_500)?.failingSeconds == 0)
        let now = Self.base + 2_000
        let future = try StatsWindow(window: nil, from: RFC3339.format(Self.base + 1_000), to: RFC3339.format(now + 86_400), now: now)
        #expect(future.to == now)
        #expect(throws: StatsWindowError.order) {
            try StatsWindow(window: nil, from: RFC3339.format(now + 10), to: RFC3339.format(now + 86_400), now: now)
        }
    }

    @Test("rollups past retention.rollup_days go, newer ones stay", arguments: StoreBackend.allCases)
    func rollupRetention(_ backend: StoreBackend) async throws {
        let fixture = try await Fixture(backend, ["a@h": OutboxTests.job("a")])
        try await Self.result(fixture, .success, at: 0)
        try await Self.result(fixture, .success, at: 2 * 86_400)
        let removed = try await fixture.database.purgeHistory(before: Self.base + 86_400)
        #expect(removed.rollups == 2, "the first result's hour and day")
        let window = try StatsWindow(window: nil, from: RFC3339.format(Self.base - 86_400), to: RFC3339.format(Self.base + 3 * 86_400),
                                     now: Self.base + 3 * 86_400)
        #expect(try await fixture.database.histories([Self.a], window: window)[Self.a]?.counts.successes == 1)
    }
}
