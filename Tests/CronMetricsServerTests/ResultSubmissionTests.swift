import CronMetricsTestSupport
import CronMetricsCore
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import CronMetricsServer

@Suite("POST /api/job-result")
struct ResultSubmissionTests {
    static let seedBody = #"{"job_name":"sync_db","host":"web1","status":"success","duration":27,"timestamp":"2025-10-30T19:56:00Z","exit_code":0,"output":"…last lines…"}"#

    @Test("the seed's body is accepted with 201 and stored; a NUL in an output is stored as U+FFFD", arguments: StoreBackend.allCases)
    func accepted(_ backend: StoreBackend) async throws {
        let fixture = try await ServerFixture(backend, jobs: "sync_db")
        try await fixture.app().test(.router) { client async throws in
            let (status, body) = try await client.submit(Self.seedBody, key: "key-sync_db")
            #expect(status == .created)
            let receipt = try decode(SubmissionRecord.self, body)
            #expect(receipt.jobId == "sync_db@web1")
            #expect(receipt.id == 1)
            #expect(try await client.statusLine("sync_db") == #"cronjob_status{job_name="sync_db",host="web1",status="success"} 1"#)
            #expect(try await client.value("cronjob_last_run_timestamp", "sync_db") == "1761854160")
            #expect(try await client.value("cronjob_last_duration_seconds", "sync_db") == "27")
            #expect(try await client.value("cronjob_runs_total", "sync_db") == "1")
            // PostgreSQL's text cannot hold NUL: it is stored as U+FFFD, and fails nothing.
            let (nul, reply) = try await client.submit(#"{"job_name":"sync_db","host":"web1","status":"success","output":"a\u0000b"}"#,
                                                       key: "key-sync_db")
            #expect(nul == .created, "\(reply)")
            #expect(try await client.history("sync_db@web1", "").results.first?.output == "a\u{FFFD}b")
        }
    }

    @Test("a result the database refuses fails alone: the others of its batch are stored", arguments: StoreBackend.allCases)
    func refusedResultAlone(_ backend: StoreBackend) async throws {
        let names = (0..<30).map { "good\($0)" }
        let fixture = try await ServerFixture(backend)
        for name in names + ["bad"] { try fixture.addJob(name) }
        try await fixture.app().test(.live) { client async throws in
            switch fixture.backend {
            case .sqlite:
                try await fixture.execute("CREATE TRIGGER refuse BEFORE INSERT ON results WHEN NEW.job_id = 'bad@web1' BEGIN SELECT RAISE(ABORT, 'refused'); END")
            case .postgres:
                try await fixture.execute("""
                    CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN IF NEW.job_id = 'bad@web1' THEN RAISE EXCEPTION 'refused'; END IF; RETURN NEW; END $$
                    """, "CREATE TRIGGER refuse BEFORE INSERT ON results FOR EACH ROW EXECUTE FUNCTION refuse()")
            }
            // Another writer holds the tables for a moment, so the signals pile
            // up and share batches with the refused one.
            let other = try await StateStore.open(fixture.storage, logger: ServerFixture.quietLogger)
            let holding = Task {
                try await other.driver.write { db in
                    if db.dialect == .postgres {
                        try db.execute("LOCK TABLE results IN EXCLUSIVE MODE")
                    } else {
                        try db.execute("UPDATE jobs SET path = path WHERE id = ''")
                    }
                    Thread.sleep(forTimeInterval: 1.5)
                }
            }
            try await Task.sleep(for: .milliseconds(300))
            // 33 requests at once (curl --parallel; the test client sends one at a time).
            let url = "http://localhost:\(try #require(client.port))/api/job-result"
            var arguments = ["-s", "-Z", "--parallel-max", "40", "--parallel-immediate"]
            for name in names + ["bad", "bad", "bad"] {
                arguments += ["-X", "POST", "-H", "Content-Type: application/json", "-H", "X-API-Key: key-\(name)",
                              "-d", #"{"job_name":"\#(name)","host":"web1","status":"success"}"#,
                              "-o", "/dev/null", "-w", "%{http_code}\\n", url, "--next"]
            }
            let output = try await Curl.run(Array(arguments.dropLast()))
            let statuses = output.split(separator: "\n").reduce(into: [Int: Int]()) { $0[Int($1) ?? -1, default: 0] += 1 }
            try await holding.value
            try await other.close()
            #expect(statuses == [201: 30, 503: 3], "each good result stored, only the refused one fails")
            #expect(try await fixture.rows("SELECT COUNT(*) AS n FROM results") == ["30"])
        }
    }

    @Test("under concurrent submissions the live state is the stored one: a restart exports the same job series",
          arguments: StoreBackend.allCases)
    func liveIsStored(_ backend: StoreBackend) async throws {
        let names = ["a", "b", "c", "d"]
        let fixture = try await ServerFixture(backend)
        for name in names { try fixture.addJob(name) }
        let live = try await fixture.app().test(.live) { client async throws in
            // 200 requests, 32 at a time (curl --parallel): each job's results
            // alternate in runs of failures and successes, so an order mixed
            // up between the store and the live state shows in the status.
            let url = "http://localhost:\(try #require(client.port))/api/job-result"
            var arguments = ["-s", "-Z", "--parallel-max", "32", "--parallel-immediate"]
            for index in 0..<200 {
                let name = names[index % names.count]
                arguments += ["-X", "POST", "-H", "Content-Type: application/json", "-H", "X-API-Key: key-\(name)",
                              "-d", #"{"job_name":"\#(name)","host":"web1","exit_code":\#(index / 8 % 2)}"#,
                              "-o", "/dev/null", "-w", "%{http_code}\\n", url, "--next"]
            }
            let output = try await Curl.run(Array(arguments.dropLast()))
            #expect(output.split(separator: "\n").reduce(into: [Int: Int]()) { $0[Int($1) ?? -1, default: 0] += 1 } == [201: 200])
            // By curl too: the client's own connection may have idled out meanwhile.
            return Self.series(try await Curl.run(["-s", "http://localhost:\(try #require(client.port))/metrics"]))
        }
        #expect(live.filter { $0.hasPrefix("cronjob_runs_total") }.map { $0.split(separator: " ").last } == Array(repeating: "50", count: 4))
        try await fixture.app().test(.router) { client async throws in
            #expect(Self.series(try await client.metrics()) == live)
        }
        // Each job's exported status is its newest stored result's.
        for name in names {
            let newest = try await fixture.rows("SELECT status FROM results WHERE job_id = '\(name)@web1' ORDER BY id DESC LIMIT 1")
            // (1 for a success, 0 for a failure: the status label is what is compared.)
            let line = #"cronjob_status{job_name="\#(name)",host="web1",status="\#(newest.first ?? "")"} "#
            #expect(live.contains { $0.hasPrefix(line) }, "\(name): \(newest)")
        }
    }

    /// The job-level series of `/metrics`.
    static func series(_ metrics: String) -> [String] {
        metrics.split(separator: "\n").filter { $0.hasPrefix("cronjob_") }.map(String.init)
    }

    /// Every refusal, with its status and the field named where there is one.
    static let refusals: [(String, String?, String, String, Int, String?)] = [
        ("missing key", nil, "application/json", seedBody, 401, nil),
        ("unknown key", "nope", "application/json", seedBody, 401, nil),
        ("key of another job", "key-other", "application/json", seedBody, 403, nil),
        ("not JSON: text", "key-sync_db", "text/plain", "all good", 415, nil),
        ("not JSON: a form (curl -d without -H)", "key-sync_db", "application/x-www-form-urlencoded", "job_name=sync_db&host=web1&status=success", 415, nil),
        ("not a JSON object, not declared JSON", "key-sync_db", "text/plain", "[1,2]", 415, nil),
        ("malformed JSON", "key-sync_db", "application/json", #"{"job_name": "sync_db", "#, 400, nil),
        ("JSON that is not an object", "key-sync_db", "application/json", "[1,2]", 400, nil),
        ("status not success/failure", "key-sync_db", "application/json", #"{"job_name":"sync_db","host":"web1","status":"ok"}"#, 422, "status"),
        ("no status and no exit code", "key-sync_db", "application/json", #"{"job_name":"sync_db","host":"web1"}"#, 422, "status"),
        ("negative duration", "key-sync_db", "application/json", #"{"job_name":"sync_db","host":"web1","status":"success","duration":-1}"#, 422, "duration"),
        ("duration not a number", "key-sync_db", "application/json", #"{"job_name":"sync_db","host":"web1","status":"success","duration":"27s"}"#, 422, "duration"),
        ("timestamp in the future", "key-sync_db", "application/json", #"{"job_name":"sync_db","host":"web1","status":"success","timestamp":"2100-01-01T00:00:00Z"}"#, 422, "timestamp"),
        ("timestamp not RFC 3339", "key-sync_db", "application/json", #"{"job_name":"sync_db","host":"web1","status":"success","timestamp":"yesterday"}"#, 422, "timestamp"),
        ("exit code not an integer", "key-sync_db", "application/json", #"{"job_name":"sync_db","host":"web1","exit_code":1.5}"#, 422, "exit_code"),
        ("unknown field", "key-sync_db", "application/json", #"{"job_name":"sync_db","host":"web1","status":"success","exitcode":0}"#, 422, "exitcode"),
        ("missing job_name", "key-sync_db", "application/json", #"{"host":"web1","status":"success"}"#, 422, "job_name"),
        ("label value not a string", "key-sync_db", "application/json", #"{"job_name":"sync_db","host":"web1","status":"success","labels":{"a":1}}"#, 422, "labels.a"),
    ]

    /// Every body refusal again with an unknown key: the key is checked first,
    /// so all of them are 401 and none names a field.
    static let unknownKeyRefusals = refusals.filter { $0.4 != 401 && $0.4 != 403 }.map {
        ("unknown key, else: \($0.0)", Optional("not-a-key"), $0.2, $0.3, 401, String?.none)
    }

    @Test("refusals get the right status, a JSON error and a request id", arguments: refusals + unknownKeyRefusals)
    func refused(name: String, key: String?, contentType: String, body: String, status: Int, field: String?) async throws {
        let fixture = try await ServerFixture(jobs: "sync_db", "other")
        try await fixture.app().test(.router) { client async throws in
            let (actual, text) = try await client.submit(body, key: key, contentType: contentType)
            #expect(Int(actual.code) == status, "\(name): \(text)")
            let error = try decode(ErrorBody.self, text)
            #expect(error.error.isEmpty == false)
            #expect(error.requestId.isEmpty == false)
            #expect(error.field == field)
            #expect(try await client.value("cronjob_runs_total", "sync_db") == "0")
            if status == 401 {
                #expect(try await client.metrics().contains(#"cronmetrics_result_submissions_total{outcome="unauthorized"} 1"#))
            }
        }
    }

    @Test("an unknown key gets 401 even with a body over the limit: the body is never read", arguments: StoreBackend.allCases)
    func unknownKeyBeforeBody(_ backend: StoreBackend) async throws {
        let fixture = try await ServerFixture(backend, jobs: "sync_db")
        try await fixture.app().test(.router) { client async throws in
            let output = String(repeating: "x", count: (1 << 20) + 10)
            let (status, text) = try await client.submit(#"{"output":"\#(output)"}"#, key: "not-a-key")
            #expect(status == .unauthorized)
            #expect(try decode(ErrorBody.self, text).error == "unknown API key")
        }
    }

    @Test("a body over 1 MiB gets 413 and nothing is stored", arguments: StoreBackend.allCases)
    func tooLarge(_ backend: StoreBackend) async throws {
        let fixture = try await ServerFixture(backend, jobs: "sync_db")
        try await fixture.app().test(.router) { client async throws in
            let output = String(repeating: "x", count: (1 << 20) + 10)
            let (status, text) = try await client.submit(#"{"job_name":"sync_db","host":"web1","status":"success","output":"\#(output)"}"#, key: "key-sync_db")
            #expect(status == .contentTooLarge)
            #expect(try decode(ErrorBody.self, text).error == "request body is too large")
            #expect(try await client.value("cronjob_runs_total", "sync_db") == "0")
        }
    }

    @Test("a retired job refuses results with 409 and is not exported", arguments: StoreBackend.allCases)
    func retired(_ backend: StoreBackend) async throws {
        let fixture = try await ServerFixture(backend, jobs: "old", extra: "status: retired")
        try await fixture.app().test(.router) { client async throws in
            let (status, _) = try await client.submit(#"{"job_name":"old","host":"web1","status":"success"}"#, key: "key-old")
            #expect(status == .conflict)
            let metrics = try await client.metrics()
            #expect(!metrics.contains("job_name=\"old\""))
            #expect(metrics.contains("\ncronjob_total 0\n"))
        }
    }

    @Test("an exit code alone decides the status; output keeps its tail", arguments: StoreBackend.allCases)
    func exitCodeImpliesStatus(_ backend: StoreBackend) async throws {
        let fixture = try await ServerFixture(backend, jobs: "sync_db")
        try await fixture.app().test(.router) { client async throws in
            let tail = String(repeating: "a", count: 70_000) + "THE END"
            #expect(try await client.submit(#"{"job_name":"sync_db","host":"web1","exit_code":2,"output":"\#(tail)"}"#, key: "key-sync_db").0 == .created)
            #expect(try await client.statusLine("sync_db")?.hasSuffix(#"status="failure"} 0"#) == true)
            #expect(try await client.value("cronjob_last_exit_code", "sync_db") == "2")
            #expect(try await client.value("cronjob_failures_total", "sync_db") == "1")
            let output = try await client.history("sync_db@web1").results.first?.output ?? ""
            #expect(output.utf8.count == 64 << 10)
            #expect(output.hasSuffix("THE END"))
            #expect(try await client.submit(#"{"job_name":"sync_db","host":"web1","exit_code":0}"#, key: "key-sync_db").0 == .created)
            #expect(try await client.statusLine("sync_db")?.hasSuffix(#"status="success"} 1"#) == true)
        }
    }

    @Test("one job's key cannot touch another job: isolation", arguments: StoreBackend.allCases)
    func isolation(_ backend: StoreBackend) async throws {
        let fixture = try await ServerFixture(backend, jobs: "a", "b")
        try await fixture.app().test(.router) { client async throws in
            #expect(try await client.submit(#"{"job_name":"b","host":"web1","status":"failure"}"#, key: "key-a").0 == .forbidden)
            #expect(try await client.submit(#"{"job_name":"a","host":"web1","status":"success"}"#, key: "key-a").0 == .created)
            #expect(try await client.value("cronjob_runs_total", "b") == "0")
            #expect(try await client.statusLine("b")?.hasSuffix(#"status="pending"} -1"#) == true)
            #expect(try await client.value("cronjob_runs_total", "a") == "1")
            let metrics = try await client.metrics()
            #expect(metrics.contains(#"cronmetrics_result_submissions_total{outcome="forbidden"} 1"#))
            #expect(metrics.contains(#"cronmetrics_result_submissions_total{outcome="accepted"} 1"#))
        }
    }
}
