import CompressNIO
import CronMetricsCore
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import CronMetricsServer

@Suite("GET /metrics and /health")
struct MetricsTests {
    @Test("label values escape quote, backslash and newline")
    func escaping() async throws {
        let fixture = try await ServerFixture(jobs: "odd", extra: #"labels: {note: "say \"hi\" C:\\dir\nnext"}"#)
        try await fixture.app().test(.router) { client async throws in
            #expect(try await client.statusLine("odd") == #"cronjob_status{job_name="odd",host="web1",note="say \"hi\" C:\\dir\nnext",status="pending"} -1"#)
        }
    }

    @Test("content type, every family's HELP and TYPE, and the server's own metrics")
    func families() async throws {
        let fixture = try await ServerFixture(jobs: "a", extra: "labels: {env: prod, team: infra}")
        try await fixture.app().test(.router) { client async throws in
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(response.headers[.contentType] == "text/plain; version=0.0.4; charset=utf-8")
                let text = String(buffer: response.body)
                for family in JobFamily.allCases {
                    #expect(text.contains("# TYPE \(family.name) \(family.type)\n"))
                }
                #expect(text.contains(#"cronjob_status{job_name="a",host="web1",env="prod",team="infra",status="pending"} -1"#))
                #expect(text.contains("\ncronjob_total 1\n"))
                #expect(text.contains("\ncronmetrics_config_last_reload_successful 1\n"))
                #expect(text.contains("cronmetrics_build_info{version=\"\(CronMetricsVersion.current)\"} 1"))
                #expect(text.contains("cronmetrics_config_hash "))
            }
        }
    }

    @Test("?shard=I/N: every job in exactly one shard (FNV-1a of job_name@host), the server's own families in shard 0 only")
    func shards() async throws {
        // FNV-1a 64 computed outside Swift (Python): a change of hash would
        // move every job of a sharded site, so the values are pinned.
        #expect(MetricsShard.hash(JobID(jobName: "a", host: "web1")) == 8_336_494_198_411_704_377)
        #expect(MetricsShard.hash(JobID(jobName: "backup", host: "db-1")) == 12_482_733_986_511_955_961)
        let fixture = try await ServerFixture()
        let names = (0..<120).map { "job-\($0)" }
        for name in names { try fixture.addJob(name) }
        try await fixture.app().test(.router) { client async throws in
            func lines(_ uri: String, _ prefix: String) async throws -> [String] {
                try await client.execute(uri: uri, method: .get) { response in
                    #expect(response.status == .ok)
                    return String(buffer: response.body).split(separator: "\n").filter { $0.hasPrefix(prefix) }.map(String.init)
                }
            }
            let everything = try await lines("/metrics", "cronjob_")
            var union: [String] = []
            var totals = 0
            for index in 0..<4 {
                let part = try await lines("/metrics?shard=\(index)/4", "cronjob_")
                let statuses = part.filter { $0.hasPrefix("cronjob_status{") }
                let expected = names.filter { MetricsShard(index: index, count: 4)!.contains(JobID(jobName: $0, host: "web1")) }
                #expect(!expected.isEmpty, "120 jobs over 4 shards: none is empty")
                #expect(statuses.count == expected.count)
                #expect(statuses.allSatisfy { line in expected.contains { line.hasPrefix("cronjob_status{job_name=\"\($0)\",") } })
                let total = try #require(part.first { $0.hasPrefix("cronjob_total ") })
                #expect(total == "cronjob_total \(expected.count)")
                totals += expected.count
                union += part.filter { !$0.hasPrefix("cronjob_total ") }
                let own = try await lines("/metrics?shard=\(index)/4", "cronmetrics_build_info")
                #expect(own.count == (index == 0 ? 1 : 0))
            }
            #expect(totals == 120)
            #expect(union.sorted() == everything.filter { !$0.hasPrefix("cronjob_total ") }.sorted())
            #expect(try await lines("/metrics?shard=0/1", "cronjob_") == everything)
            #expect(try await lines("/metrics?shard=01/04", "cronjob_") == (try await lines("/metrics?shard=1/4", "cronjob_")))
            for bad in ["4/4", "1", "a/b", "0/0", "-1/2", "0/1001", "1/2/3", "", "0/%2B2", "%2B1/2", "%D9%A3/4", "99999999999999999999/4"] {
                try await client.execute(uri: "/metrics?shard=\(bad)", method: .get) { response in
                    #expect(response.status == .badRequest, "\(bad)")
                    #expect(String(buffer: response.body).contains(#""field":"shard""#), "\(bad)")
                }
            }
        }
    }

    @Test("gzip when the scraper asks for it")
    func gzip() async throws {
        let fixture = try await ServerFixture(jobs: "a")
        try await fixture.app().test(.router) { client async throws in
            try await client.execute(uri: "/metrics", method: .get, headers: [.acceptEncoding: "gzip"]) { response in
                #expect(response.headers[.contentEncoding] == "gzip")
                var body = response.body
                let plain = try body.decompress(with: .gzip())
                #expect(String(buffer: plain).contains("cronjob_total 1"))
            }
            try await client.execute(uri: "/metrics", method: .get, headers: [.acceptEncoding: "gzip;q=0"]) { response in
                #expect(response.headers[.contentEncoding] == nil)
            }
        }
    }

    @Test("/health is liveness for everyone (text, or JSON when accepted); the job count and reload outcome need an admin key")
    func health() async throws {
        let fixture = try await ServerFixture(jobs: "a")
        try await fixture.app().test(.router) { client async throws in
            try await client.execute(uri: "/health", method: .get, headers: [.accept: "*/*"]) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/plain; charset=utf-8")
                #expect(String(buffer: response.body) == "ok\n")
            }
            let (status, text) = try await client.execute(uri: "/health", method: .get, headers: [.accept: "application/json"]) {
                ($0.status, String(buffer: $0.body))
            }
            #expect(status == .ok)
            // Exactly these keys (nothing for admins only): a check on the raw JSON.
            #expect(try decode(JSONValue.self, text).object?.keys.sorted() == ["status", "timestamp", "version"])
            // Decoding reads `timestamp` as RFC 3339, and fails on anything else.
            #expect(try decode(HealthReport.self, text).version == CronMetricsVersion.current)
            let wrongKey = try await client.execute(uri: "/health", method: .get, headers: [.authorization: "Bearer wrong", .accept: "application/json"]) {
                String(buffer: $0.body)
            }
            #expect(try decode(JSONValue.self, wrongKey).object?.keys.sorted() == ["status", "timestamp", "version"])
            let (adminStatus, report) = try await client.reply(HealthReport.self, .get, "/health", headers: ServerFixture.admin)
            #expect(adminStatus == .ok)
            #expect(report.status == "ok")
            #expect(report.jobs == 1)
            #expect(report.lastReload?.successful == true)
            // Alone on SQLite: this server leads, the store answers, no replicas table.
            #expect(report.replica == report.leader && report.replica?.isEmpty == false)
            #expect(report.storeUp == true)
            #expect(report.replicas == nil && report.treesAgree == nil)
            let ready = try await client.execute(uri: "/ready", method: .get) { ($0.status, String(buffer: $0.body)) }
            #expect(ready.0 == .ok && ready.1 == "ready\n")
            let metrics = try await client.metrics()
            #expect(metrics.contains("\ncronmetrics_store_up 1\n"), "alone: no replica label")
            #expect(!metrics.contains("cronmetrics_leader"))
        }
    }

    @Test("/ready is 503 while the store does not answer, and says so; cronmetrics_store_up follows")
    func readiness() async throws {
        let fixture = try await ServerFixture(jobs: "a")
        let components = try await fixture.components()
        let probe = StoreProbe(database: components.database, metrics: components.metrics, interval: .seconds(1),
                               logger: ServerFixture.quietLogger)
        try await buildApplication(components).test(.router) { client async throws in
            await probe.probe()
            #expect(try await client.execute(uri: "/ready", method: .get) { $0.status } == .ok)
            try await components.database.close()
            await probe.probe()
            let (status, text) = try await client.execute(uri: "/ready", method: .get) { ($0.status, String(buffer: $0.body)) }
            #expect(status == .serviceUnavailable && text == "the store does not answer\n")
            #expect(try await client.metrics().contains("\ncronmetrics_store_up 0\n"))
        }
    }

    @Test("an invalid tree at start serves the last good set from the database and says why")
    func invalidTreeAtStart() async throws {
        let fixture = try await ServerFixture(jobs: "a")
        try await fixture.app().test(.router) { client async throws in
            #expect(try await client.statusLine("a") != nil)
        }
        try Data("version: 1\njob_name: b\nhost: web1\nautomatic_failure_threshold: soon\n".utf8)
            .write(to: URL(fileURLWithPath: "\(fixture.jobsDir)/b@web1.yaml"))
        try await fixture.app().test(.router) { client async throws in
            let metrics = try await client.metrics()
            #expect(metrics.contains("\ncronmetrics_config_last_reload_successful 0\n"))
            #expect(metrics.contains(#"cronjob_status{job_name="a",host="web1",status="pending"} -1"#))
            #expect(!metrics.contains("job_name=\"b\""))
            let reload = try await client.reply(HealthReport.self, .get, "/health", headers: ServerFixture.admin).1.lastReload
            #expect(reload?.successful == false)
            let errors = reload?.errors ?? []
            #expect(errors.count == 1)
            #expect(errors.first?.hasSuffix("b@web1.yaml:4:30: 'automatic_failure_threshold' is not a valid duration (got \"soon\"): write a positive number of seconds (3600) or a duration such as \"90m\", \"1h30m\", \"2d\"") == true)
        }
    }
}
