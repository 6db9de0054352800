import CronMetricsCore
import CronMetricsTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
@testable import CronMetricsServer

@Suite("Runs: start signals, durations, timeouts")
struct RunTests {
    @Test("a start opens a run; a result closes it and gets its duration; overlapping runs are counted", arguments: StoreBackend.allCases)
    func startAndFinish(_ backend: StoreBackend) async throws {
        let fixture = try await ServerFixture(backend, jobs: "etl")
        try await fixture.app().test(.router) { client async throws in
            let started = try await client.start(#"{"job_name":"etl","host":"web1","run_id":"r1"}"#, key: "key-etl")
            #expect(started.0 == .created)
            #expect(try decode(StartRecord.self, started.1).runId == "r1")
            #expect(try await client.value("cronjob_running", "etl") == "1")
            #expect(try await client.value("cronjob_last_start_timestamp_seconds", "etl") == "\(Int(fixture.clock.now.timeIntervalSince1970))")
            fixture.clock.advance(10)
            #expect(try await client.start(#"{"job_name":"etl","host":"web1"}"#, key: "key-etl").0 == .created)
            #expect(try await client.value("cronjob_running", "etl") == "2")
            let record = try await client.reply(JobRecord.self, .get, "/api/job/etl@web1", headers: ServerFixture.admin).1
            #expect(record.state?.openRuns.count == 2)
            fixture.clock.advance(20)
            // No run id: the oldest open run (r1, 30 s ago) is closed.
            #expect(try await client.submit(#"{"job_name":"etl","host":"web1","status":"success"}"#, key: "key-etl").0 == .created)
            #expect(try await client.value("cronjob_last_duration_seconds", "etl") == "30")
            #expect(try await client.value("cronjob_running", "etl") == "1")
            fixture.clock.advance(5)
            // A duration given wins over the run's.
            #expect(try await client.submit(#"{"job_name":"etl","host":"web1","status":"success","duration":3}"#, key: "key-etl").0 == .created)
            #expect(try await client.value("cronjob_last_duration_seconds", "etl") == "3")
            #expect(try await client.value("cronjob_running", "etl") == "0")
        }
    }

    @Test("a result names its run by run_id", arguments: StoreBackend.allCases)
    func runID(_ backend: StoreBackend) async throws {
        let fixture = try await ServerFixture(backend, jobs: "etl")
        try await fixture.app().test(.router) { client async throws in
            #expect(try await client.start(#"{"job_name":"etl","host":"web1","run_id":"a"}"#, key: "key-etl").0 == .created)
            fixture.clock.advance(100)
            #expect(try await client.start(#"{"job_name":"etl","host":"web1","run_id":"b"}"#, key: "key-etl").0 == .created)
            fixture.clock.advance(7)
            #expect(try await client.submit(#"{"job_name":"etl","host":"web1","status":"success","run_id":"b"}"#, key: "key-etl").0 == .created)
            #expect(try await client.value("cronjob_last_duration_seconds", "etl") == "7")
            let refused = try await client.start(#"{"job_name":"etl","host":"web1","run_id":"no spaces"}"#, key: "key-etl")
            #expect(refused.0 == .unprocessableContent)
            #expect(try decode(ErrorBody.self, refused.1).field == "run_id")
        }
    }

    @Test("a run's result is stored once: the same job and run_id again answers 200 with the first id; logs and timeouts are no run's result", arguments: StoreBackend.allCases)
    func repeatedResult(_ backend: StoreBackend) async throws {
        let fixture = try await ServerFixture(backend, jobs: "etl", threshold: 86_400, extra: "max_runtime: 1h")
        let components = try await fixture.components()
        try await buildApplication(components).test(.router) { client async throws in
            let body = #"{"job_name":"etl","host":"web1","status":"failure","exit_code":3,"run_id":"r1"}"#
            let first = try await client.submit(body, key: "key-etl")
            #expect(first.0 == .created)
            fixture.clock.advance(5)
            let again = try await client.submit(body, key: "key-etl")
            #expect(again.0 == .ok)
            let firstReceipt = try decode(SubmissionRecord.self, first.1), againReceipt = try decode(SubmissionRecord.self, again.1)
            #expect(againReceipt.id == firstReceipt.id)
            #expect(againReceipt.receivedAt == firstReceipt.receivedAt)
            // Another verdict for the same run is a repeat too: the first one stands.
            #expect(try await client.submit(#"{"job_name":"etl","host":"web1","status":"success","run_id":"r1"}"#, key: "key-etl").0 == .ok)
            #expect(try await client.value("cronjob_runs_total", "etl") == "1")
            #expect(try await client.statusLine("etl")?.hasSuffix(#"status="failure"} 0"#) == true)
            // Another run id, and no run id, are new results.
            #expect(try await client.submit(#"{"job_name":"etl","host":"web1","status":"success","run_id":"r2"}"#, key: "key-etl").0 == .created)
            #expect(try await client.submit(#"{"job_name":"etl","host":"web1","status":"success"}"#, key: "key-etl").0 == .created)
            #expect(try await client.submit(#"{"job_name":"etl","host":"web1","status":"success"}"#, key: "key-etl").0 == .created)
            // Output pings (`/log`) carry the run id and are all kept.
            for _ in 0..<2 {
                try await client.execute(uri: "/ping/key-etl/log?rid=r2", method: .post, body: ByteBuffer(string: "progress")) { #expect($0.status == .ok) }
            }
            // A run closed by its timeout has no result yet: the late one is stored.
            #expect(try await client.start(#"{"job_name":"etl","host":"web1","run_id":"r3"}"#, key: "key-etl").0 == .created)
            fixture.clock.advance(3601)
            await fixture.deadlineService(components).tick()
            #expect(try await client.statusLine("etl")?.hasSuffix(#"status="timeout"} 0"#) == true)
            #expect(try await client.submit(#"{"job_name":"etl","host":"web1","status":"success","run_id":"r3"}"#, key: "key-etl").0 == .created)
            let text = try await client.execute(uri: "/api/job/etl@web1/results", method: .get, headers: ServerFixture.admin) { String(buffer: $0.body) }
            // run_id is read from the raw JSON: ResultRecord spells it `runID`, and APICoding.decoder
            // looks for `run_id` under `runId`, so the model decodes nil for every row.
            var runIDs: [String?] = []
            if case let .array(rows)? = try decode(JSONValue.self, text).object?["results"] {
                runIDs = rows.map { $0.object?["run_id"]?.string }
            }
            #expect(runIDs == ["r3", "r2", "r2", nil, nil, "r2", "r1"])
            #expect(try decode(HistoryPage.self, text).results.map(\.status) == ["success", "log", "log", "success", "success", "success", "failure"])
            #expect(try await client.value("cronjob_runs_total", "etl") == "5")
        }
    }

    @Test("a run open past max_runtime fails the job with timeout, once, also across a restart", arguments: StoreBackend.allCases)
    func timeout(_ backend: StoreBackend) async throws {
        let fixture = try await ServerFixture(backend, jobs: "backup", threshold: 86_400, extra: "max_runtime: 1h")
        let components = try await fixture.components()
        try await buildApplication(components).test(.router) { client async throws in
            #expect(try await client.submit(#"{"job_name":"backup","host":"web1","status":"success"}"#, key: "key-backup").0 == .created)
            #expect(try await client.start(#"{"job_name":"backup","host":"web1"}"#, key: "key-backup").0 == .created)
            fixture.clock.advance(3600)
            #expect(try await client.statusLine("backup")?.hasSuffix(#"status="success"} 1"#) == true, "exactly at max_runtime: not yet")
            // A second run starts, then the server stops before the first times out.
            #expect(try await client.start(#"{"job_name":"backup","host":"web1"}"#, key: "key-backup").0 == .created)
        }
        fixture.clock.advance(1)
        let restarted = try await fixture.components()
        try await buildApplication(restarted).test(.router) { client async throws in
            #expect(try await client.statusLine("backup") == #"cronjob_status{job_name="backup",host="web1",status="timeout"} 0"#)
            #expect(try await client.value("cronjob_failures_total", "backup") == "1")
            #expect(try await client.value("cronjob_running", "backup") == "1", "the second run is still open")
            await fixture.deadlineService(restarted).tick()
            fixture.clock.advance(3600)
            #expect(try await client.value("cronjob_failures_total", "backup") == "2")
            await fixture.deadlineService(restarted).tick()
            #expect(try await client.value("cronjob_running", "backup") == "0")
            // A result ends the timeout.
            #expect(try await client.submit(#"{"job_name":"backup","host":"web1","status":"success"}"#, key: "key-backup").0 == .created)
            #expect(try await client.statusLine("backup")?.hasSuffix(#"status="success"} 1"#) == true)
        }
        try await fixture.app().test(.router) { client async throws in
            #expect(try await client.value("cronjob_failures_total", "backup") == "2", "each timeout counted once, and saved")
            #expect(try await client.value("cronjob_timeouts_total", "backup") == "2", "as timeouts too")
        }
    }
}

extension TestClientProtocol {
    /// Sends a start signal with `key`.
    @discardableResult
    func start(_ body: String, key: String) async throws -> (HTTPResponse.Status, String) {
        try await execute(uri: "/api/job-start", method: .post,
                          headers: [.contentType: "application/json", HTTPField.Name("X-API-Key")!: key],
                          body: ByteBuffer(string: body)) { ($0.status, String(buffer: $0.body)) }
    }
}
