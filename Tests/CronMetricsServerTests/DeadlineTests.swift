import CronMetricsCore
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import CronMetricsServer

@Suite("Deadlines on the server's clock")
struct DeadlineTests {
    @Test("pending -> success -> missed_deadline -> success, with counters")
    func stateMachine() async throws {
        let fixture = try ServerFixture()
        try fixture.addJob("nightly", threshold: 600)
        let start = fixture.clock.now.timeIntervalSince1970
        try await fixture.app().test(.router) { client async throws in
            #expect(try await client.statusLine("nightly") == #"cronjob_status{job_name="nightly",host="web1",status="pending"} -1"#)
            #expect(try await client.value("cronjob_deadline_timestamp_seconds", "nightly") == String(Int(start) + 600))

            fixture.clock.advance(300)
            #expect(try await client.submit(#"{"job_name":"nightly","host":"web1","status":"success"}"#, key: "key-nightly").0 == .created)
            #expect(try await client.statusLine("nightly")?.hasSuffix(#"status="success"} 1"#) == true)
            #expect(try await client.value("cronjob_deadline_timestamp_seconds", "nightly") == String(Int(start) + 900))

            fixture.clock.advance(600)  // exactly at the deadline: not yet missed
            #expect(try await client.statusLine("nightly")?.hasSuffix(#"status="success"} 1"#) == true)
            fixture.clock.advance(1)
            #expect(try await client.statusLine("nightly") == #"cronjob_status{job_name="nightly",host="web1",status="missed_deadline"} 0"#)
            #expect(try await client.value("cronjob_missed_deadlines_total", "nightly") == "1")
            fixture.clock.advance(3600)  // the same silence counts once
            #expect(try await client.value("cronjob_missed_deadlines_total", "nightly") == "1")

            #expect(try await client.submit(#"{"job_name":"nightly","host":"web1","status":"success"}"#, key: "key-nightly").0 == .created)
            #expect(try await client.statusLine("nightly")?.hasSuffix(#"status="success"} 1"#) == true)
            #expect(try await client.value("cronjob_runs_total", "nightly") == "2")
            fixture.clock.advance(601)
            #expect(try await client.value("cronjob_missed_deadlines_total", "nightly") == "2")
        }
    }

    @Test("a forged future timestamp cannot postpone the deadline")
    func clientClockIgnored() async throws {
        let fixture = try ServerFixture()
        try fixture.addJob("nightly", threshold: 600)
        try await fixture.app().test(.router) { client async throws in
            let soon = RFC3339.format(fixture.clock.now.addingTimeInterval(240))
            #expect(try await client.submit(#"{"job_name":"nightly","host":"web1","status":"success","timestamp":"\#(soon)"}"#, key: "key-nightly").0 == .created)
            fixture.clock.advance(601)
            #expect(try await client.statusLine("nightly")?.hasSuffix(#"status="missed_deadline"} 0"#) == true)
        }
    }

    @Test("maintenance and paused export -1; maintenance_until ends maintenance by itself")
    func lifecycles() async throws {
        let fixture = try ServerFixture()
        let until = RFC3339.format(fixture.clock.now.addingTimeInterval(1000))
        try fixture.addJob("fixing", threshold: 600, extra: "status: maintenance\nmaintenance_until: \(until)")
        try fixture.addJob("held", threshold: 600, extra: "status: paused")
        try fixture.addJob("forever", threshold: 600, extra: "status: maintenance")
        try await fixture.app().test(.router) { client async throws in
            fixture.clock.advance(900)  // past the threshold, but in maintenance
            #expect(try await client.statusLine("fixing") == #"cronjob_status{job_name="fixing",host="web1",status="maintenance"} -1"#)
            #expect(try await client.statusLine("held") == #"cronjob_status{job_name="held",host="web1",status="paused"} -1"#)
            #expect(try await client.value("cronjob_deadline_timestamp_seconds", "held") == nil)
            fixture.clock.advance(200)  // maintenance over: the deadline counts from its end
            #expect(try await client.statusLine("fixing")?.hasSuffix(#"status="pending"} -1"#) == true)
            fixture.clock.advance(601)
            #expect(try await client.statusLine("fixing")?.hasSuffix(#"status="missed_deadline"} 0"#) == true)
            fixture.clock.advance(100_000)
            #expect(try await client.statusLine("held")?.hasSuffix(#"status="paused"} -1"#) == true)
            #expect(try await client.statusLine("forever")?.hasSuffix(#"status="maintenance"} -1"#) == true)
            #expect(try await client.value("cronjob_missed_deadlines_total", "held") == "0")
        }
    }

    @Test("state survives a restart: results, counters and missed deadlines come back from SQLite")
    func restart() async throws {
        let fixture = try ServerFixture()
        try fixture.addJob("nightly", threshold: 600)
        try await fixture.app().test(.router) { client async throws in
            #expect(try await client.submit(#"{"job_name":"nightly","host":"web1","status":"failure","exit_code":3,"duration":1.5}"#, key: "key-nightly").0 == .created)
            fixture.clock.advance(700)
            #expect(try await client.value("cronjob_missed_deadlines_total", "nightly") == "1")
        }
        // What the deadline service would have saved on its next tick.
        try await fixture.app().test(.router) { client async throws in
            #expect(try await client.value("cronjob_runs_total", "nightly") == "1")
            #expect(try await client.value("cronjob_failures_total", "nightly") == "1")
            #expect(try await client.value("cronjob_last_exit_code", "nightly") == "3")
            #expect(try await client.value("cronjob_last_duration_seconds", "nightly") == "1.5")
            #expect(try await client.statusLine("nightly")?.hasSuffix(#"status="missed_deadline"} 0"#) == true)
        }
    }
}
