import Foundation
import Testing
@testable import CronMetricsCore

/// The alert policy's rules (SPEC §16) as tables over an injected clock:
/// maintenance windows in the verdict, and when a `down` is held, sent or
/// escalated. No server, no store: ``AlertPolicyStoreTests`` runs the same
/// rules through the outbox.
@Suite("Alert policy: maintenance windows, dependencies, alert_after, escalation")
struct AlertPolicyTests {
    static func at(_ text: String) -> Date { RFC3339.parse(text)! }

    static func window(_ schedule: String, _ duration: String, _ zone: String? = nil) -> MaintenanceWindow {
        MaintenanceWindow(schedule: try! CronSchedule(parsing: schedule), duration: JobDuration(parsing: duration)!, timezone: zone)
    }

    static func job(_ name: String = "j", threshold: Int? = 3600, schedule: String? = nil, windows: [MaintenanceWindow] = [],
                    maxRuntime: Int? = nil, alertAfter: Int? = nil, escalate: [EscalationStep] = [], dependsOn: [String] = [],
                    status: Lifecycle = .active, maintenanceUntil: Date? = nil) -> Job {
        Job(jobName: name, host: "h", threshold: threshold.map { JobDuration(seconds: $0) },
            schedule: schedule.map { try! CronSchedule(parsing: $0) }, maxRuntime: maxRuntime.map { JobDuration(seconds: $0) },
            status: status, maintenanceUntil: maintenanceUntil, maintenanceWindows: windows, alertAfter: alertAfter, escalate: escalate,
            dependsOn: dependsOn.map { JobID(jobName: $0, host: "h") })
    }

    // MARK: windows

    /// Sunday 2026-12-06 01:00–03:00 UTC, weekly.
    static let sunday = window("0 1 * * 0", "2h")

    struct WindowCase: Sendable, CustomTestStringConvertible {
        var windows: [MaintenanceWindow]
        var now: String
        /// The window `now` is in, as "start..end" (UTC), or nil.
        var expected: String?
        var testDescription: String { "\(windows.map { "\($0.schedule.text) \($0.duration.seconds)s \($0.timezone ?? "UTC")" }) at \(now)" }
    }

    static let windowCases: [WindowCase] = [
        // Edges: the start is in, the end is out.
        .init(windows: [sunday], now: "2026-12-06T00:59:59Z", expected: nil),
        .init(windows: [sunday], now: "2026-12-06T01:00:00Z", expected: "2026-12-06T01:00:00Z..2026-12-06T03:00:00Z"),
        .init(windows: [sunday], now: "2026-12-06T02:59:59Z", expected: "2026-12-06T01:00:00Z..2026-12-06T03:00:00Z"),
        .init(windows: [sunday], now: "2026-12-06T03:00:00Z", expected: nil),
        .init(windows: [sunday], now: "2026-12-13T01:30:00Z", expected: "2026-12-13T01:00:00Z..2026-12-13T03:00:00Z"),
        // Two windows that touch are one: 01:00–03:00 and 03:00–04:00.
        .init(windows: [sunday, window("0 3 * * 0", "1h")], now: "2026-12-06T01:10:00Z",
              expected: "2026-12-06T01:00:00Z..2026-12-06T04:00:00Z"),
        // Two that overlap are one: 01:00–03:00 and 02:30–03:30.
        .init(windows: [sunday, window("30 2 * * 0", "1h")], now: "2026-12-06T01:10:00Z",
              expected: "2026-12-06T01:00:00Z..2026-12-06T03:30:00Z"),
        .init(windows: [sunday, window("30 2 * * 0", "1h")], now: "2026-12-06T03:10:00Z",
              expected: "2026-12-06T02:30:00Z..2026-12-06T03:30:00Z"),
        // One schedule whose instances overlap (01:00 and 01:50, an hour
        // each): the 01:00 window runs on to the 01:50 one's end.
        .init(windows: [window("0,50 1 * * *", "1h")], now: "2026-12-06T01:55:00Z", expected: "2026-12-06T01:00:00Z..2026-12-06T02:50:00Z"),
        .init(windows: [window("0,50 1 * * *", "1h")], now: "2026-12-06T01:10:00Z", expected: "2026-12-06T01:00:00Z..2026-12-06T02:50:00Z"),
        // Berlin, spring forward (02:00 → 03:00 on 2026-03-29): 02:30 does
        // not exist that day; the window opens when the gap ends (03:00 CEST).
        .init(windows: [window("30 2 * * *", "1h", "Europe/Berlin")], now: "2026-03-29T00:45:00Z", expected: nil),
        .init(windows: [window("30 2 * * *", "1h", "Europe/Berlin")], now: "2026-03-29T01:30:00Z",
              expected: "2026-03-29T01:00:00Z..2026-03-29T02:00:00Z"),
        // Berlin, fall back (03:00 → 02:00 on 2026-10-25): 02:30 happens
        // twice; the window opens at the first and lasts one real hour.
        .init(windows: [window("30 2 * * *", "1h", "Europe/Berlin")], now: "2026-10-25T01:15:00Z",
              expected: "2026-10-25T00:30:00Z..2026-10-25T01:30:00Z"),
        .init(windows: [window("30 2 * * *", "1h", "Europe/Berlin")], now: "2026-10-25T01:45:00Z", expected: nil),
        // A window across the change: 01:00 CEST for 3h ends at 03:00 CET
        // (three hours elapsed, four on the wall clock).
        .init(windows: [window("0 1 * * *", "3h", "Europe/Berlin")], now: "2026-10-25T01:59:00Z",
              expected: "2026-10-24T23:00:00Z..2026-10-25T02:00:00Z"),
        .init(windows: [window("0 1 * * *", "3h", "Europe/Berlin")], now: "2026-10-25T02:00:00Z", expected: nil),
    ]

    @Test("the window an instant is in: edges, merged windows, daylight saving", arguments: windowCases)
    func windowEdges(_ c: WindowCase) {
        let job = Self.job(windows: c.windows)
        let found = job.maintenanceWindow(at: Self.at(c.now)).map { "\(RFC3339.format($0.start))..\(RFC3339.format($0.end))" }
        #expect(found == c.expected)
        #expect(AlertPolicy.isQuiet(job, at: Self.at(c.now)) == (c.expected != nil))
    }

    struct VerdictCase: Sendable, CustomTestStringConvertible {
        var name: String, job: Job, lastResult: String, now: String
        /// "status deadline next-change", times as `MM-DDTHH:MM` of 2026 (UTC), `-` for none.
        var expected: String
        var testDescription: String { name }
    }

    /// `12-06T00:30` → 2026-12-06T00:30:00Z (seconds may follow: `12-06T04:00:01`).
    static func day(_ short: String) -> Date { at("2026-\(short)" + (short.count == 11 ? ":00Z" : "Z")) }
    static func short(_ date: Date?) -> String { date.map { String(RFC3339.format($0).dropFirst(5).dropLast(4)) } ?? "-" }

    static let verdictCases: [VerdictCase] = [
        .init(name: "before the window: the threshold counts, the window's start is the next change", job: job(windows: [sunday]), lastResult: "12-06T00:30", now: "12-06T00:45", expected: "success 12-06T01:30 12-06T01:00"),
        .init(name: "inside: maintenance, no deadline, changes at the window's end", job: job(windows: [sunday]), lastResult: "12-06T00:30", now: "12-06T01:45", expected: "maintenance - 12-06T03:00"),
        .init(name: "after: a full threshold from the window's end, not from the last result", job: job(windows: [sunday]), lastResult: "12-06T00:30", now: "12-06T03:00", expected: "success 12-06T04:00 12-06T04:00"),
        .init(name: "a full threshold after the window, then missed until the next window starts", job: job(windows: [sunday]), lastResult: "12-06T00:30", now: "12-06T04:00:01", expected: "missed_deadline 12-06T04:00 12-13T01:00"),
        .init(name: "a scheduled run skipped in the window: the next scheduled time after it, plus grace", job: job(threshold: nil, schedule: "0 2 * * *", windows: [sunday]), lastResult: "12-05T02:01", now: "12-06T03:00", expected: "success 12-07T02:05 12-07T02:05"),
        .init(name: "a result long after the window counts from the result", job: job(windows: [sunday]), lastResult: "12-06T05:00", now: "12-06T05:30", expected: "success 12-06T06:00 12-06T06:00"),
        .init(name: "a job missed before the window opened stays missed after it (no fresh threshold from the window's end)", job: job(windows: [sunday]), lastResult: "12-05T23:00", now: "12-06T03:30", expected: "missed_deadline 12-06T00:00 12-13T01:00"),
        .init(name: "a window across the autumn change in Berlin: the threshold counts from its real end", job: job(windows: [window("0 1 * * *", "3h", "Europe/Berlin")]), lastResult: "10-24T22:30", now: "10-25T02:30", expected: "success 10-25T03:00 10-25T03:00"),
        .init(name: "paused wins over a window", job: job(windows: [sunday], status: .paused), lastResult: "12-06T00:30", now: "12-06T01:45", expected: "paused - -"),
        .init(name: "maintenance_until ended inside a window: still in maintenance until the window ends", job: job(windows: [sunday], status: .maintenance, maintenanceUntil: at("2026-12-06T01:30:00Z")), lastResult: "12-06T00:30", now: "12-06T02:00", expected: "maintenance - 12-06T03:00"),
    ]

    @Test("the verdict with windows: deadlines suspended inside, counted from the end after", arguments: verdictCases)
    func verdicts(_ c: VerdictCase) throws {
        var state = JobState()
        state.record(JobResult(jobID: c.job.id, receivedAt: Self.day(c.lastResult), status: .success))
        let verdict = try #require(Verdict.evaluate(job: c.job, firstSeen: Self.at("2026-10-01T00:00:00Z"), state: state, now: Self.day(c.now)))
        #expect("\(verdict.status.rawValue) \(Self.short(verdict.deadline)) \(Self.short(verdict.nextChange))" == c.expected)
        #expect((verdict.window != nil) == (verdict.status == .maintenance))
    }

    @Test("a window that starts during a running run: no timeout inside it; at its end if the run is still open; a run that ends inside is never one")
    func runAcrossWindow() throws {
        let job = Self.job(windows: [Self.sunday], maxRuntime: 1800)
        let stored = StoredJob(job: job, path: "j@h.yaml", contentHash: "x", firstSeen: Self.at("2026-12-01T00:00:00Z"))
        var state = JobState()
        // Run 1 from 00:50 (limit 01:20, inside the window); run 2 from 00:10 (limit 00:40, before it).
        state.start(OpenRun(id: 1, runID: nil, startedAt: Self.at("2026-12-06T00:50:00Z")))
        state.start(OpenRun(id: 2, runID: nil, startedAt: Self.at("2026-12-06T00:10:00Z")))
        let live = LiveState()
        live.replaceJobs([stored], loadedStates: [job.id: state], now: Self.at("2026-12-06T00:30:00Z"))
        #expect(live.tick(now: Self.at("2026-12-06T00:30:00Z")).timeouts.isEmpty)
        // 01:30: run 2 timed out at its own limit (before the window); run 1 waits.
        var changes = live.tick(now: Self.at("2026-12-06T01:30:00Z"))
        #expect(changes.timeouts.map { "\($0.runID) \(RFC3339.format($0.at))" } == ["2 2026-12-06T00:40:00Z"])
        live.saved(changes)
        #expect(Self.status(live, job, "2026-12-06T02:59:00Z") == .maintenance)
        #expect(live.tick(now: Self.at("2026-12-06T02:59:00Z")).timeouts.isEmpty)
        // At the window's very end the postponed limit is not past yet (and the tick returns).
        #expect(live.tick(now: Self.at("2026-12-06T03:00:00Z")).timeouts.isEmpty)
        changes = live.tick(now: Self.at("2026-12-06T03:00:01Z"))
        #expect(changes.timeouts.map { "\($0.runID) \(RFC3339.format($0.at))" } == ["1 2026-12-06T03:00:00Z"])
        #expect(Self.status(live, job, "2026-12-06T03:00:02Z") == .timeout)

        // The same run finishing inside the window is a result, never a timeout.
        let other = LiveState()
        var open = JobState()
        open.start(OpenRun(id: 3, runID: nil, startedAt: Self.at("2026-12-06T00:50:00Z")))
        other.replaceJobs([stored], loadedStates: [job.id: open], now: Self.at("2026-12-06T00:55:00Z"))
        var result = JobResult(jobID: job.id, receivedAt: Self.at("2026-12-06T02:00:00Z"), status: .success)
        result.closedRun = 3
        result.stateVersion = 1
        _ = other.apply([.result(result)], now: Self.at("2026-12-06T02:00:00Z"))
        #expect(other.tick(now: Self.at("2026-12-06T03:30:00Z")).timeouts.isEmpty)
    }

    static func status(_ live: LiveState, _ job: Job, _ time: String) -> ExportedStatus? {
        live.job(job.id, now: at(time))?.verdict?.status
    }

    // MARK: holding a down

    struct HoldCase: Sendable, CustomTestStringConvertible {
        var name: String
        var job: Job
        var outage: AlertPolicy.Outage
        var now: String = "2026-12-06T12:00:00Z"
        var expected: AlertPolicy.Hold?
        var testDescription: String { name }
    }

    static let a = JobID(jobName: "a", host: "h"), b = JobID(jobName: "b", host: "h"), c = JobID(jobName: "c", host: "h")

    static let holdCases: [HoldCase] = [
        .init(name: "no policy: the first failed run alerts", job: job(), outage: .init(failedRuns: 1), expected: nil),
        .init(name: "alert_after 3: one failed run waits", job: job(alertAfter: 3), outage: .init(failedRuns: 1),
              expected: .waiting(failedRuns: 1, needed: 3)),
        .init(name: "alert_after 3: two wait", job: job(alertAfter: 3), outage: .init(failedRuns: 2), expected: .waiting(failedRuns: 2, needed: 3)),
        .init(name: "alert_after 3: the third alerts", job: job(alertAfter: 3), outage: .init(failedRuns: 3), expected: nil),
        .init(name: "alert_after 3: more than three alert too (a reload lowered it)", job: job(alertAfter: 3), outage: .init(failedRuns: 7),
              expected: nil),
        .init(name: "alert_after 3, silent: one missed deadline and one more threshold of silence still wait",
              job: job(alertAfter: 3), outage: .init(failedRuns: 1, missedSince: at("2026-12-06T10:00:00Z")), now: "2026-12-06T11:59:59Z",
              expected: .waiting(failedRuns: 2, needed: 3)),
        .init(name: "alert_after 3, silent: two more thresholds of silence are the third failed run",
              job: job(alertAfter: 3), outage: .init(failedRuns: 1, missedSince: at("2026-12-06T10:00:00Z")), now: "2026-12-06T12:00:00Z",
              expected: nil),
        .init(name: "alert_after 3, silent, scheduled hourly: each later run whose grace passed counts",
              job: job(threshold: nil, schedule: "0 * * * *", alertAfter: 3), outage: .init(failedRuns: 1, missedSince: at("2026-12-06T10:05:00Z")),
              now: "2026-12-06T12:04:59Z", expected: .waiting(failedRuns: 2, needed: 3)),
        .init(name: "alert_after 3, silent, scheduled hourly: the third",
              job: job(threshold: nil, schedule: "0 * * * *", alertAfter: 3), outage: .init(failedRuns: 1, missedSince: at("2026-12-06T10:05:00Z")),
              now: "2026-12-06T12:05:00Z", expected: nil),
        .init(name: "chain a ← b ← c: b is blocked while a fails", job: job("b", dependsOn: ["a"]), outage: .init(failedRuns: 1, failingUpstream: [a]),
              expected: .blocked(by: [a])),
        .init(name: "chain a ← b ← c: c is blocked by b, not by a (it names b)", job: job("c", dependsOn: ["b"]),
              outage: .init(failedRuns: 1, failingUpstream: [a, b]), expected: .blocked(by: [b])),
        .init(name: "chain: c alerts once b is well, even with a failing", job: job("c", dependsOn: ["b"]),
              outage: .init(failedRuns: 1, failingUpstream: [a]), expected: nil),
        .init(name: "blocked comes before alert_after", job: job("b", alertAfter: 2, dependsOn: ["a"]),
              outage: .init(failedRuns: 1, failingUpstream: [a]), expected: .blocked(by: [a])),
        .init(name: "several upstreams failing: all named, sorted", job: job("c", dependsOn: ["b", "a"]),
              outage: .init(failedRuns: 1, failingUpstream: [a, b]), expected: .blocked(by: [a, b])),
        .init(name: "quiet inside a window, whatever else", job: job(windows: [sunday], alertAfter: 1, dependsOn: ["a"]),
              outage: .init(failedRuns: 5, failingUpstream: [a]), now: "2026-12-06T01:30:00Z", expected: .quiet),
        .init(name: "the window's end: no longer quiet", job: job(windows: [sunday]), outage: .init(failedRuns: 1), now: "2026-12-06T03:00:00Z",
              expected: nil),
        .init(name: "paused is quiet", job: job(status: .paused), outage: .init(failedRuns: 1), expected: .quiet),
        .init(name: "maintenance until later is quiet", job: job(status: .maintenance, maintenanceUntil: at("2026-12-06T13:00:00Z")),
              outage: .init(failedRuns: 1), expected: .quiet),
        .init(name: "maintenance that ended is not", job: job(status: .maintenance, maintenanceUntil: at("2026-12-06T11:00:00Z")),
              outage: .init(failedRuns: 1), expected: nil),
    ]

    @Test("when a first down is held", arguments: holdCases)
    func holds(_ c: HoldCase) {
        #expect(AlertPolicy.hold(c.job, c.outage, at: Self.at(c.now)) == c.expected)
    }

    // MARK: escalation

    struct EscalationCase: Sendable, CustomTestStringConvertible {
        var name: String
        var job: Job
        var outage: AlertPolicy.Outage
        var now: String
        var due: Range<Int>
        var testDescription: String { name }
    }

    static let steps = [EscalationStep(after: JobDuration(parsing: "5m")!, notify: ["pager"]),
                        EscalationStep(after: JobDuration(parsing: "1h")!, notify: ["pager", "boss"])]
    static let sent = at("2026-12-06T10:00:00Z")

    static let escalationCases: [EscalationCase] = [
        .init(name: "no down sent yet: nothing", job: job(escalate: steps), outage: .init(failedRuns: 9), now: "2026-12-06T12:00:00Z", due: 0..<0),
        .init(name: "before the first step", job: job(escalate: steps), outage: .init(failedRuns: 1, downSentAt: sent),
              now: "2026-12-06T10:04:59Z", due: 0..<0),
        .init(name: "the first step at its time", job: job(escalate: steps), outage: .init(failedRuns: 1, downSentAt: sent),
              now: "2026-12-06T10:05:00Z", due: 0..<1),
        .init(name: "sent once: not again", job: job(escalate: steps), outage: .init(failedRuns: 1, downSentAt: sent, escalated: 1),
              now: "2026-12-06T10:30:00Z", due: 1..<1),
        .init(name: "the second step", job: job(escalate: steps), outage: .init(failedRuns: 1, downSentAt: sent, escalated: 1),
              now: "2026-12-06T11:00:00Z", due: 1..<2),
        .init(name: "both at once after a long quiet spell", job: job(escalate: steps), outage: .init(failedRuns: 1, downSentAt: sent),
              now: "2026-12-06T11:30:00Z", due: 0..<2),
        .init(name: "all sent: nothing more", job: job(escalate: steps), outage: .init(failedRuns: 1, downSentAt: sent, escalated: 2),
              now: "2026-12-07T10:00:00Z", due: 2..<2),
        .init(name: "held inside a window", job: job(windows: [window("0 10 * * *", "2h")], escalate: steps),
              outage: .init(failedRuns: 1, downSentAt: sent), now: "2026-12-06T11:00:00Z", due: 0..<0),
        .init(name: "held while an upstream fails", job: job(escalate: steps, dependsOn: ["a"]),
              outage: .init(failedRuns: 1, downSentAt: sent, failingUpstream: [a]), now: "2026-12-06T11:00:00Z", due: 0..<0),
        .init(name: "not held by a raised alert_after (the down went out)", job: job(alertAfter: 5, escalate: steps),
              outage: .init(failedRuns: 1, downSentAt: sent), now: "2026-12-06T10:05:00Z", due: 0..<1),
        .init(name: "a reload that removed the steps: nothing", job: job(), outage: .init(failedRuns: 1, downSentAt: sent),
              now: "2026-12-06T11:00:00Z", due: 0..<0),
    ]

    @Test("which escalation steps are due", arguments: escalationCases)
    func escalations(_ c: EscalationCase) {
        #expect(AlertPolicy.escalationsDue(c.job, c.outage, at: Self.at(c.now)) == c.due)
    }

    @Test("the next escalation time and the channels of steps, each once")
    func escalationDetails() {
        let job = Self.job(escalate: Self.steps)
        #expect(AlertPolicy.nextEscalation(job, .init(failedRuns: 1, downSentAt: Self.sent)) == Self.at("2026-12-06T10:05:00Z"))
        #expect(AlertPolicy.nextEscalation(job, .init(failedRuns: 1, downSentAt: Self.sent, escalated: 1)) == Self.at("2026-12-06T11:00:00Z"))
        #expect(AlertPolicy.nextEscalation(job, .init(failedRuns: 1, downSentAt: Self.sent, escalated: 2)) == nil)
        #expect(AlertPolicy.channels(of: job, steps: 0..<2) == ["pager", "boss"])
    }

    // MARK: the tree

    @Test("dependencies: unknown ids and every cycle, once, from its smallest id")
    func graph() {
        func id(_ name: String) -> JobID { JobID(jobName: name, host: "h") }
        let graph = DependencyGraph(edges: [
            id("a"): [], id("b"): [id("a")], id("c"): [id("b")],  // a chain: fine
            id("x"): [id("y")], id("y"): [id("z")], id("z"): [id("x")],  // a cycle of three
            id("p"): [id("q")], id("q"): [id("p"), id("gone")],  // a cycle of two, and an unknown id
        ])
        #expect(graph.cycles.map(DependencyGraph.describe) == ["p@h → q@h → p@h", "x@h → y@h → z@h → x@h"])
        #expect(graph.unknown.map { "\($0.job) → \($0.missing)" } == ["q@h → gone@h"])
        #expect(DependencyGraph(edges: [id("a"): [], id("b"): [id("a")], id("c"): [id("b"), id("a")]]).cycles.isEmpty)
        // Two cycles through a: at least one is reported, so the tree is refused.
        #expect(DependencyGraph(edges: [id("a"): [id("b"), id("c")], id("b"): [id("c")], id("c"): [id("a")]]).cycles.map(DependencyGraph.describe)
            == ["a@h → b@h → c@h → a@h"])
        // A chain of 200,000 jobs: no cycle, and no stack overflow.
        var chain: [JobID: [JobID]] = [id("n0"): []]
        for n in 1..<200_000 { chain[id("n\(n)")] = [id("n\(n - 1)")] }
        #expect(DependencyGraph(edges: chain).cycles.isEmpty)
        chain[id("n0")] = [id("n199999")]
        #expect(DependencyGraph(edges: chain).cycles.first?.count == 200_001)
    }
}
