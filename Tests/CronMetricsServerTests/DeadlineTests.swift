import CronMetricsTestSupport
import CronMetricsCore
import Foundation
import HTTPTypes
import Logging
import Hummingbird
import HummingbirdTesting
import Testing
@testable import CronMetricsServer

@Suite("Deadlines on the server's clock")
struct DeadlineTests {
    /// A server's parts for one job, nightly@web1 with a threshold of 600 s.
    static func nightly(_ backend: StoreBackend) async throws -> (ServerFixture, ServerComponents) {
        let fixture = try await ServerFixture(backend, jobs: "nightly", threshold: 600)
        return (fixture, try await fixture.components())
    }

    /// `body` submitted for nightly (threshold 600 s), then 700 s of silence: one missed deadline.
    static func reportThenMiss(_ client: some TestClientProtocol, _ fixture: ServerFixture, _ body: String) async throws {
        #expect(try await client.submit(body, key: "key-nightly").0 == .created)
        fixture.clock.advance(700)
        #expect(try await client.value("cronjob_missed_deadlines_total", "nightly") == "1")
    }

    @Test("pending -> success -> missed_deadline -> success, with counters", arguments: StoreBackend.allCases)
    func stateMachine(_ backend: StoreBackend) async throws {
        let fixture = try await ServerFixture(backend, jobs: "nightly", threshold: 600)
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

    @Test("a clock step forward fails what is late by the new time; a step back un-fails nothing and counts nothing twice", arguments: StoreBackend.allCases)
    func clockSteps(_ backend: StoreBackend) async throws {
        let fixture = try await ServerFixture(backend)
        try fixture.addJob("nightly", threshold: 600)
        try fixture.addJob("other", threshold: 6000)
        try await fixture.app().test(.router) { client async throws in
            #expect(try await client.submit(#"{"job_name":"nightly","host":"web1","status":"success"}"#, key: "key-nightly").0 == .created)
            fixture.clock.advance(3600)  // the clock jumps an hour ahead
            #expect(try await client.statusLine("nightly")?.hasSuffix(#"status="missed_deadline"} 0"#) == true)
            #expect(try await client.statusLine("other")?.hasSuffix(#"status="pending"} -1"#) == true)
            fixture.clock.advance(-3600)  // and is put right
            #expect(try await client.statusLine("nightly")?.hasSuffix(#"status="missed_deadline"} 0"#) == true)
            // A reload re-evaluates every job at the earlier time: still missed, counted once.
            try fixture.addJob("other", threshold: 6001)
            #expect(try await client.reload() == .ok)
            #expect(try await client.statusLine("nightly")?.hasSuffix(#"status="missed_deadline"} 0"#) == true)
            #expect(try await client.value("cronjob_missed_deadlines_total", "nightly") == "1")
            // A result ends the miss; the next silence counts again.
            #expect(try await client.submit(#"{"job_name":"nightly","host":"web1","status":"success"}"#, key: "key-nightly").0 == .created)
            #expect(try await client.statusLine("nightly")?.hasSuffix(#"status="success"} 1"#) == true)
            fixture.clock.advance(601)
            #expect(try await client.value("cronjob_missed_deadlines_total", "nightly") == "2")
        }
    }

    @Test("a forged future timestamp cannot postpone the deadline", arguments: StoreBackend.allCases)
    func clientClockIgnored(_ backend: StoreBackend) async throws {
        let fixture = try await ServerFixture(backend, jobs: "nightly", threshold: 600)
        try await fixture.app().test(.router) { client async throws in
            let soon = RFC3339.format(fixture.clock.now.addingTimeInterval(240))
            #expect(try await client.submit(#"{"job_name":"nightly","host":"web1","status":"success","timestamp":"\#(soon)"}"#, key: "key-nightly").0 == .created)
            fixture.clock.advance(601)
            #expect(try await client.statusLine("nightly")?.hasSuffix(#"status="missed_deadline"} 0"#) == true)
        }
    }

    @Test("maintenance and paused export -1; maintenance_until ends maintenance by itself", arguments: StoreBackend.allCases)
    func lifecycles(_ backend: StoreBackend) async throws {
        let fixture = try await ServerFixture(backend)
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

    @Test("state survives a restart: results, counters and missed deadlines come back from the store", arguments: StoreBackend.allCases)
    func restart(_ backend: StoreBackend) async throws {
        let (fixture, components) = try await Self.nightly(backend)
        try await buildApplication(components).test(.router) { client async throws in
            try await Self.reportThenMiss(client, fixture, #"{"job_name":"nightly","host":"web1","status":"failure","exit_code":3,"duration":1.5}"#)
        }
        await fixture.deadlineService(components).tick()
        fixture.clock.advance(10)
        try await fixture.app().test(.router) { client async throws in
            #expect(try await client.value("cronjob_runs_total", "nightly") == "1")
            #expect(try await client.value("cronjob_failures_total", "nightly") == "1")
            #expect(try await client.value("cronjob_last_exit_code", "nightly") == "3")
            #expect(try await client.value("cronjob_last_duration_seconds", "nightly") == "1.5")
            #expect(try await client.statusLine("nightly")?.hasSuffix(#"status="missed_deadline"} 0"#) == true)
            #expect(try await client.value("cronjob_missed_deadlines_total", "nightly") == "1", "the same silence is not counted again")
        }
    }

    @Test("deadline bookkeeping that fails to save is saved on a later tick", arguments: StoreBackend.allCases)
    func bookkeepingRetried(_ backend: StoreBackend) async throws {
        let fixture = try await ServerFixture(backend, jobs: "nightly", threshold: 600)
        let components = try await fixture.components()
        let app = buildApplication(components)
        let service = fixture.deadlineService(components)
        try await app.test(.router) { client async throws in
            fixture.clock.advance(700)
            #expect(try await client.value("cronjob_missed_deadlines_total", "nightly") == "1")
            // The database refuses writes to job_state for a while.
            switch fixture.backend {
            case .sqlite:
                try await fixture.execute("CREATE TRIGGER refuse_insert BEFORE INSERT ON job_state BEGIN SELECT RAISE(ABORT, 'refused'); END",
                                          "CREATE TRIGGER refuse_update BEFORE UPDATE ON job_state BEGIN SELECT RAISE(ABORT, 'refused'); END")
            case .postgres:
                try await fixture.execute("CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused'; END $$",
                                          "CREATE TRIGGER refuse BEFORE INSERT OR UPDATE ON job_state FOR EACH ROW EXECUTE FUNCTION refuse()")
            }
            await service.tick()
            switch fixture.backend {
            case .sqlite: try await fixture.execute("DROP TRIGGER refuse_insert", "DROP TRIGGER refuse_update")
            case .postgres: try await fixture.execute("DROP TRIGGER refuse ON job_state")
            }
            // A result now: were the miss not retried, nothing after a restart would show it.
            #expect(try await client.submit(#"{"job_name":"nightly","host":"web1","status":"success"}"#, key: "key-nightly").0 == .created)
            await service.tick()
        }
        try await fixture.app().test(.router) { client async throws in
            #expect(try await client.value("cronjob_missed_deadlines_total", "nightly") == "1")
            #expect(try await client.statusLine("nightly")?.hasSuffix(#"status="success"} 1"#) == true)
        }
    }

    @Test("a job removed and added again resumes its state; counters never go back, also across a restart", arguments: StoreBackend.allCases)
    func reAdded(_ backend: StoreBackend) async throws {
        let (fixture, components) = try await Self.nightly(backend)
        let app = buildApplication(components)
        try await app.test(.router) { client async throws in
            try await Self.reportThenMiss(client, fixture, #"{"job_name":"nightly","host":"web1","status":"success"}"#)
            await fixture.deadlineService(components).tick()
            let file = "\(fixture.jobsDir)/nightly@web1.yaml"
            let saved = try Data(contentsOf: URL(fileURLWithPath: file))
            try FileManager.default.removeItem(atPath: file)
            #expect(try await client.reload() == .ok)
            #expect(try await client.statusLine("nightly") == nil)
            try saved.write(to: URL(fileURLWithPath: file))
            #expect(try await client.reload() == .ok)
            #expect(try await client.value("cronjob_runs_total", "nightly") == "1")
            #expect(try await client.value("cronjob_missed_deadlines_total", "nightly") == "1")
            #expect(try await client.statusLine("nightly")?.hasSuffix(#"status="missed_deadline"} 0"#) == true,
                    "not pending with a fresh threshold")
            await fixture.deadlineService(components).tick()
        }
        try await fixture.app().test(.router) { client async throws in
            #expect(try await client.value("cronjob_runs_total", "nightly") == "1")
            #expect(try await client.value("cronjob_missed_deadlines_total", "nightly") == "1")
        }
    }

    @Test("a reload of an unchanged tree changes nothing visible", arguments: StoreBackend.allCases)
    func unchangedReload(_ backend: StoreBackend) async throws {
        let fixture = try await ServerFixture(backend, jobs: "nightly", threshold: 600)
        let logs = LogCapture()
        try await fixture.app(logger: logs.logger).test(.router) { client async throws in
            let before = try await client.metrics()
            let reloads = logs.all.filter { $0.contains("jobs reloaded") }.count
            fixture.clock.advance(5)
            #expect(try await client.reload() == .ok)
            #expect(logs.all.filter { $0.contains("jobs reloaded") }.count == reloads)
            #expect(logs.contains("jobs unchanged"))
            let after = try await client.metrics()
            let stamp = { (text: String) in text.split(separator: "\n").first { $0.hasPrefix("cronmetrics_config_last_reload_success_timestamp_seconds ") } }
            #expect(stamp(after) == stamp(before))
            // A real change is applied and announced.
            try fixture.addJob("nightly", threshold: 601)
            #expect(try await client.reload() == .ok)
            #expect(logs.all.filter { $0.contains("jobs reloaded") }.count == reloads + 1)
            #expect(try await client.value("cronjob_threshold_seconds", "nightly") == "601")
        }
    }
}
