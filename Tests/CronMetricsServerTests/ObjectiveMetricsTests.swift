import CronMetricsCore
import CronMetricsTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import CronMetricsServer

/// The SLO families of `/metrics` and `cronjob_timeouts_total`: known
/// answers from results, a missed deadline and a timeout, on both stores.
@Suite("SLO metrics")
struct ObjectiveMetricsTests {
    static func send(_ client: some TestClientProtocol, _ job: String, _ status: String) async throws {
        let (answer, text) = try await client.submit(#"{"job_name":"\#(job)","host":"web1","status":"\#(status)"}"#, key: "key-\(job)")
        #expect(answer == .created, "\(text)")
    }

    @Test("target, success ratio and budget left count a missed deadline and a timeout as failed runs", arguments: StoreBackend.allCases)
    func knownAnswers(_ backend: StoreBackend) async throws {
        let fixture = try await ServerFixture(backend)
        try fixture.addJob("a", extra: "slo: {success_ratio: 50%, window: 7d}")
        try fixture.addJob("b", threshold: 864_000, extra: "slo: {success_ratio: 0.99}")
        try fixture.addJob("c")
        try fixture.addJob("t", threshold: 864_000, extra: "max_runtime: 60\nslo: {success_ratio: 50%, window: 24h}")
        let components = try await fixture.components { $0.objectiveInterval = .seconds(3_600) }
        try await buildApplication(components).test(.router) { client async throws in
            // a: 5 successes and a failure, then silent past its threshold, then a success: 6 of 8 runs succeeded.
            for _ in 0..<5 { try await Self.send(client, "a", "success") }
            try await Self.send(client, "a", "failure")
            try await Self.send(client, "t", "success")
            #expect(try await client.start(#"{"job_name":"t","host":"web1"}"#, key: "key-t").0 == .created)
            fixture.clock.advance(3_601)
            await fixture.deadlineService(components).tick()
            #expect(try await client.statusLine("a") == #"cronjob_status{job_name="a",host="web1",status="missed_deadline"} 0"#)
            #expect(try await client.statusLine("t") == #"cronjob_status{job_name="t",host="web1",status="timeout"} 0"#)
            try await Self.send(client, "a", "success")
            #expect(try await client.value("cronjob_timeouts_total", "t") == "1")
            #expect(try await client.value("cronjob_failures_total", "t") == "1", "a timeout is a failure too")
            #expect(try await client.value("cronjob_timeouts_total", "a") == "0")

            try await components.objectives.refresh()
            let lines = try await client.metrics().split(separator: "\n").filter { $0.contains("cronjob_slo_") }
            #expect(lines == [
                "# HELP cronjob_slo_target_ratio The job's SLO: the share of runs that must succeed over its window.",
                "# TYPE cronjob_slo_target_ratio gauge",
                #"cronjob_slo_target_ratio{job_name="a",host="web1",window="7d"} 0.5"#,
                #"cronjob_slo_target_ratio{job_name="b",host="web1",window="30d"} 0.99"#,
                #"cronjob_slo_target_ratio{job_name="t",host="web1",window="24h"} 0.5"#,
                "# HELP cronjob_slo_success_ratio Successful runs over all runs in the SLO's window (a missed deadline and a timeout are failed runs).",
                "# TYPE cronjob_slo_success_ratio gauge",
                #"cronjob_slo_success_ratio{job_name="a",host="web1",window="7d"} 0.75"#,
                #"cronjob_slo_success_ratio{job_name="t",host="web1",window="24h"} 0.5"#,
                "# HELP cronjob_slo_error_budget_remaining_ratio Share of the SLO's error budget left in its window: 1 untouched, 0 spent, below 0 broken.",
                "# TYPE cronjob_slo_error_budget_remaining_ratio gauge",
                #"cronjob_slo_error_budget_remaining_ratio{job_name="a",host="web1",window="7d"} 0.5"#,
                #"cronjob_slo_error_budget_remaining_ratio{job_name="t",host="web1",window="24h"} 0"#,
            ].map { Substring($0) }, "b has no runs: its target only; c has no SLO")

            // A second timeout breaks t's SLO: one success in three runs.
            #expect(try await client.start(#"{"job_name":"t","host":"web1"}"#, key: "key-t").0 == .created)
            fixture.clock.advance(61)
            await fixture.deadlineService(components).tick()
            try await components.objectives.refresh()
            #expect(try await client.metrics().contains(#"cronjob_slo_error_budget_remaining_ratio{job_name="t",host="web1",window="24h"} -0.33333"#))
            // Past t's 24-hour window its runs no longer count; a's 7 days
            // still hold, and a's second silence is a ninth run, failed.
            fixture.clock.advance(2 * 86_400)
            await fixture.deadlineService(components).tick()
            try await components.objectives.refresh()
            let later = try await client.metrics()
            #expect(!later.contains(#"cronjob_slo_success_ratio{job_name="t""#))
            #expect(later.contains(#"cronjob_slo_success_ratio{job_name="a",host="web1",window="7d"} \#(6.0 / 9)"#))
            // a's SLO leaves its file, t's target changes: both show with the reload, before the next count.
            try fixture.addJob("a", threshold: 3_600)
            try fixture.addJob("t", threshold: 864_000, extra: "max_runtime: 60\nslo: {success_ratio: 90%, window: 24h}")
            #expect(try await client.reload() == .ok)
            let reloaded = try await client.metrics()
            #expect(!reloaded.contains(#"job_name="a",host="web1",window="#), "a's SLO series are gone")
            #expect(reloaded.contains(#"cronjob_slo_target_ratio{job_name="t",host="web1",window="24h"} 0.9"#))
        }
    }

    @Test("of two counts that overlap, the one begun later stays, whichever ends last")
    func laterCountWins() async throws {
        let tracker = try await ServerFixture().components().objectives
        let (a, b) = (JobID(jobName: "a", host: "h"), JobID(jobName: "b", host: "h"))
        tracker.publish(ObjectiveTracker.Counted(count: 2, week: [b: RunCounts(successes: 2)]))
        tracker.publish(ObjectiveTracker.Counted(count: 1, week: [a: RunCounts(successes: 1)]))
        #expect(tracker.week.keys.map(\.description) == ["b@h"])
        tracker.publish(ObjectiveTracker.Counted(count: 3, week: [a: RunCounts(successes: 3)]))
        #expect(tracker.week[a]?.successes == 3)
    }

    @Test("the server counts the SLO figures by itself each interval, and after a reload that adds an SLO")
    func counted() async throws {
        let fixture = try await ServerFixture(.sqlite, jobs: "a")
        let app = try await fixture.app { $0.objectiveInterval = .milliseconds(100) }
        try await app.test(.live) { client async throws in
            try await Self.send(client, "a", "failure")
            #expect(!(try await client.metrics().contains("cronjob_slo_")))
            try fixture.addJob("a", extra: "slo: {success_ratio: 99.9%}")
            #expect(try await client.reload() == .ok)
            let budget = #"cronjob_slo_error_budget_remaining_ratio{job_name="a",host="web1",window="30d"} "#
            let seen = try await client.eventually(timeout: .seconds(30)) { try await $0.metrics().contains(budget) }
            let text = try await client.metrics()
            #expect(seen, "\(text)")
            let value = text.split(separator: "\n").first { $0.hasPrefix(budget) }.flatMap { Double($0.dropFirst(budget.count)) }
            #expect(abs((value ?? 0) - (1 - 1 / (1 - 0.999))) < 1e-9, "one failed run of one spends the budget a thousand times over")

        }
    }
}
