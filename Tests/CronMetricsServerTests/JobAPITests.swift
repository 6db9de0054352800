import CronMetricsTestSupport
import CronMetricsCore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
@testable import CronMetricsServer

@Suite("Job API: files first, then reload")
struct JobAPITests {
    static let admin: HTTPFields = [.authorization: "Bearer \(ServerFixture.adminKey)", .contentType: "application/json"]

    @Test("create writes <job_name>@<host>.yaml, returns the key once, and the job is in /metrics", arguments: StoreBackend.allCases)
    func create(_ backend: StoreBackend) async throws {
        let fixture = try await ServerFixture(backend)
        try await fixture.app().test(.router) { client async throws in
            let created = try await client.reply(JobWithKey.self, .post, "/api/job", headers: Self.admin,
                                                 body: #"{"job_name":"backup","host":"db1","automatic_failure_threshold":"1h30m","labels":{"env":"prod"}}"#)
            #expect(created.0 == .created)
            let key = try #require(created.1.apiKey)
            #expect(key.hasPrefix("cm_") && key.count == 55)
            let file = try String(contentsOfFile: "\(fixture.jobsDir)/backup@db1.yaml", encoding: .utf8)
            #expect(file.contains("automatic_failure_threshold: 1h30m\n"))
            #expect(file.contains("api_key_sha256: \(APIKeyHash.sha256Hex(of: key))\n"))
            #expect(!file.contains(key))
            #expect(try await client.statusLine("backup", host: "db1") == #"cronjob_status{job_name="backup",host="db1",env="prod",status="pending"} -1"#)
            // The key works, and is never shown again.
            #expect(try await client.submit(#"{"job_name":"backup","host":"db1","status":"success"}"#, key: key).0 == .created)
            let shown = try await client.execute(uri: "/api/job/backup@db1", method: .get, headers: Self.admin) { String(buffer: $0.body) }
            #expect(!shown.contains(key))
            #expect(try decode(JobRecord.self, shown).hasApiKey == true)
            // A second create of the same id is a conflict.
            let again = try await client.execute(uri: "/api/job", method: .post, headers: Self.admin,
                                                 body: ByteBuffer(string: #"{"job_name":"backup","host":"db1","automatic_failure_threshold":60}"#)) { $0.status }
            #expect(again == .conflict)
        }
    }

    @Test("PATCH api_key_sha256: null revokes the key; a custom key needs 32 characters; over-long ids and thresholds are 422", arguments: StoreBackend.allCases)
    func keysAndBounds(_ backend: StoreBackend) async throws {
        let fixture = try await ServerFixture(backend, jobs: "a")
        try await fixture.app().test(.router) { client async throws in
            func send<Model: Decodable>(_ model: Model.Type, _ method: HTTPRequest.Method, _ uri: String,
                                        _ body: String) async throws -> (HTTPResponse.Status, Model) {
                try await client.reply(model, method, uri, headers: Self.admin, body: body)
            }
            #expect(try await client.submit(#"{"job_name":"a","host":"web1","status":"success"}"#, key: "key-a").0 == .created)
            let revoked = try await send(JobRecord.self, .patch, "/api/job/a@web1", #"{"api_key_sha256":null}"#)
            #expect(revoked.0 == .ok)
            #expect(revoked.1.hasApiKey == false)
            #expect(try await client.submit(#"{"job_name":"a","host":"web1","status":"success"}"#, key: "key-a").0 == .unauthorized)
            #expect(try String(contentsOfFile: "\(fixture.jobsDir)/a@web1.yaml", encoding: .utf8).contains("api_key_sha256") == false)

            let short = try await send(ErrorBody.self, .post, "/api/job", #"{"job_name":"b","host":"db1","automatic_failure_threshold":60,"api_key":"short-key"}"#)
            #expect(short.0 == .unprocessableContent)
            #expect(short.1.field == "api_key")
            let long = String(repeating: "k", count: 32)
            #expect(try await send(JobWithKey.self, .post, "/api/job", #"{"job_name":"b","host":"db1","automatic_failure_threshold":60,"api_key":"\#(long)"}"#).0 == .created)
            #expect(try await client.submit(#"{"job_name":"b","host":"db1","status":"success"}"#, key: long).0 == .created)

            let name = String(repeating: "n", count: 128), host = String(repeating: "h", count: 128)
            let tooLong = try await send(ErrorBody.self, .post, "/api/job", #"{"job_name":"\#(name)","host":"\#(host)","automatic_failure_threshold":60}"#)
            #expect(tooLong.0 == .unprocessableContent)
            #expect(tooLong.1.field == "job_name")
            let huge = try await send(ErrorBody.self, .post, "/api/job", #"{"job_name":"c","host":"db1","automatic_failure_threshold":9223372036854775807}"#)
            #expect(huge.0 == .unprocessableContent)
            #expect(huge.1.field == "automatic_failure_threshold")
            // The longest threshold allowed is listed and formatted without trouble.
            #expect(try await send(JobWithKey.self, .post, "/api/job", #"{"job_name":"c","host":"db1","automatic_failure_threshold":"3650d"}"#).0 == .created)
            #expect(try await client.execute(uri: "/api/job", method: .get, headers: Self.admin) { $0.status } == .ok)
        }
    }

    @Test("an invalid job is refused with 422 naming the field, and leaves no file", arguments: StoreBackend.allCases)
    func invalidCreate(_ backend: StoreBackend) async throws {
        let fixture = try await ServerFixture(backend)
        try await fixture.app().test(.router) { client async throws in
            let (status, body) = try await client.reply(ErrorBody.self, .post, "/api/job", headers: Self.admin,
                body: #"{"job_name":"x","host":"db1","automatic_failure_threshold":60,"labels":{"host":"y"}}"#)
            #expect(status == .unprocessableContent)
            #expect(body.field == "labels.host")
            #expect(try FileManager.default.contentsOfDirectory(atPath: fixture.jobsDir).isEmpty)
        }
    }

    @Test("a write that would make the tree invalid is refused and rolled back", arguments: StoreBackend.allCases)
    func rollback(_ backend: StoreBackend) async throws {
        let fixture = try await ServerFixture(backend, jobs: "a")
        try await fixture.app().test(.router) { client async throws in
            // Someone breaks another file by hand; it is not reloaded yet.
            try Data("version: 1\njob_name: b\nhost: web1\nautomatic_failure_threshold: soon\n".utf8)
                .write(to: URL(fileURLWithPath: "\(fixture.jobsDir)/b@web1.yaml"))
            let before = try String(contentsOfFile: "\(fixture.jobsDir)/a@web1.yaml", encoding: .utf8)
            let (status, body) = try await client.reply(ErrorBody.self, .patch, "/api/job/a@web1", headers: Self.admin,
                                                        body: #"{"automatic_failure_threshold":120}"#)
            #expect(status == .unprocessableContent)
            #expect(body.errors?.first?.contains("b@web1.yaml:4:30") == true)
            #expect(try String(contentsOfFile: "\(fixture.jobsDir)/a@web1.yaml", encoding: .utf8) == before)
            #expect(try await client.value("cronjob_threshold_seconds", "a") == "3600")
        }
    }

    @Test("a broken file keeps the old set: reload metric 0, /health says why, /-/reload answers 400", arguments: StoreBackend.allCases)
    func brokenFile(_ backend: StoreBackend) async throws {
        let fixture = try await ServerFixture(backend, jobs: "a")
        try await fixture.app().test(.router) { client async throws in
            try fixture.addJob("a", extra: "colour: blue")
            let (status, body) = try await client.reply(ErrorBody.self, .post, "/-/reload", headers: Self.admin)
            #expect(status == .badRequest)
            let errors = body.errors ?? []
            #expect(errors.count == 1 && errors[0].hasSuffix("a@web1.yaml:6:1: unknown key 'colour'; allowed keys are version, job_name, host, automatic_failure_threshold, schedule, timezone, grace, max_runtime, status, maintenance_until, maintenance_windows, labels, notify, alert_after, escalate, depends_on, slo, metrics, api_key_sha256, description"))
            let metrics = try await client.metrics()
            #expect(metrics.contains("\ncronmetrics_config_last_reload_successful 0\n"))
            #expect(try await client.statusLine("a") != nil)
            let health = try await client.reply(HealthReport.self, .get, "/health", headers: Self.admin).1
            #expect(health.lastReload?.errors == errors)
            #expect(try await client.execute(uri: "/-/reload", method: .post) { $0.status } == .unauthorized)
        }
    }

    @Test("a removed file removes the series; an edited file changes them (via /-/reload)", arguments: StoreBackend.allCases)
    func editAndRemove(_ backend: StoreBackend) async throws {
        let fixture = try await ServerFixture(backend, jobs: "a", "b")
        try await fixture.app().test(.router) { client async throws in
            try fixture.addJob("a", threshold: 120)
            try FileManager.default.removeItem(atPath: "\(fixture.jobsDir)/b@web1.yaml")
            let reload = try await client.reply(ReloadSummary.self, .post, "/-/reload", headers: Self.admin).1
            #expect(reload.changed == ["a@web1"])
            #expect(reload.removed == ["b@web1"])
            #expect(try await client.value("cronjob_threshold_seconds", "a") == "120")
            #expect(!(try await client.metrics()).contains("job_name=\"b\""))
        }
    }

    @Test("50 concurrent PATCHes of one job lose no update and leave a valid file", arguments: StoreBackend.allCases)
    func concurrentPatches(_ backend: StoreBackend) async throws {
        let fixture = try await ServerFixture(backend, jobs: "a")
        try await fixture.app().test(.router) { client async throws in
            try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for index in 0..<50 {
                    group.addTask {
                        try await client.execute(uri: "/api/job/a@web1", method: .patch, headers: Self.admin,
                                                 body: ByteBuffer(string: #"{"labels":{"l\#(index)":"v\#(index)"}}"#)) { $0.status }
                    }
                }
                for try await status in group {
                    #expect(status == .ok)
                }
            }
            let data = try Data(contentsOf: URL(fileURLWithPath: "\(fixture.jobsDir)/a@web1.yaml"))
            let decoded = JobFileDecoder().decode(data, path: "a@web1.yaml")
            let job = try #require(decoded.job)
            #expect(job.labels.count == 50)
            #expect(job.labels["l17"] == "v17")
            #expect(job.apiKeySHA256 == APIKeyHash.sha256Hex(of: "key-a"))
        }
    }

    @Test("list filters by label, status, host and text; PUT replaces; rotate-key and DELETE", arguments: StoreBackend.allCases)
    func listReplaceRotateDelete(_ backend: StoreBackend) async throws {
        let fixture = try await ServerFixture(backend)
        try fixture.addJob("a", extra: "labels: {env: prod}")
        try fixture.addJob("b", host: "web2", extra: "labels: {env: stage}\nstatus: paused")
        try await fixture.app().test(.router) { client async throws in
            func ids(_ query: String) async throws -> [String] {
                try await client.reply(JobList.self, .get, "/api/job\(query)", headers: Self.admin).1.jobs.map(\.id)
            }
            #expect(try await ids("") == ["a@web1", "b@web2"])
            #expect(try await ids("?label=env=prod") == ["a@web1"])
            #expect(try await ids("?status=paused") == ["b@web2"])
            #expect(try await ids("?status=pending") == ["a@web1"])
            #expect(try await ids("?host=web2") == ["b@web2"])
            #expect(try await ids("?q=B@") == ["b@web2"])

            let put = try await client.reply(JobRecord.self, .put, "/api/job/a@web1", headers: Self.admin,
                                             body: #"{"automatic_failure_threshold":"2d","description":"replaced"}"#)
            #expect(put.0 == .ok)
            #expect(put.1.labels == [:])
            #expect(put.1.thresholdSeconds == 172_800)
            #expect(try await client.submit(#"{"job_name":"a","host":"web1","status":"success"}"#, key: "key-a").0 == .created)

            let rename = try await client.execute(uri: "/api/job/a@web1", method: .patch, headers: Self.admin,
                                                  body: ByteBuffer(string: #"{"host":"web9"}"#)) { $0.status }
            #expect(rename == .unprocessableContent)

            let rotated = try await client.reply(JobWithKey.self, .post, "/api/job/a@web1/rotate-key", headers: Self.admin).1
            let newKey = try #require(rotated.apiKey)
            #expect(try await client.submit(#"{"job_name":"a","host":"web1","status":"success"}"#, key: "key-a").0 == .unauthorized)
            #expect(try await client.submit(#"{"job_name":"a","host":"web1","status":"success"}"#, key: newKey).0 == .created)

            #expect(try await client.execute(uri: "/api/job/b@web2", method: .delete, headers: Self.admin) { $0.status } == .noContent)
            #expect(!FileManager.default.fileExists(atPath: "\(fixture.jobsDir)/b@web2.yaml"))
            #expect(try await client.execute(uri: "/api/job/b@web2", method: .get, headers: Self.admin) { $0.status } == .notFound)
            #expect(try await client.execute(uri: "/api/job/a@web1", method: .delete) { $0.status } == .unauthorized)
        }
    }
}
