import CronMetricsCore
import CronMetricsTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import CronMetricsServer

/// `cronjob_duration_seconds`: only for jobs that ask for it (or all, with
/// `metrics.duration_histogram`), exact bucket counts, a duration taken
/// from the run's start, kept across a restart, on both stores.
@Suite("Duration histogram")
struct DurationHistogramTests {
    static func send(_ client: some TestClientProtocol, _ job: String, duration: Double?) async throws {
        let body = #"{"job_name":"\#(job)","host":"web1","status":"success""# + (duration.map { #","duration":\#($0)"# } ?? "") + "}"
        let (answer, text) = try await client.submit(body, key: "key-\(job)")
        #expect(answer == .created, "\(text)")
    }

    static func lines(_ text: String, _ job: String) -> [String] {
        text.split(separator: "\n").map(String.init).filter { $0.hasPrefix("cronjob_duration_seconds") && $0.contains(#"job_name="\#(job)""#) }
    }

    static func expected(_ job: String, _ cumulative: [Int], sum: String) -> [String] {
        let bounds = ["1", "5", "15", "30", "60", "120", "300", "600", "1800", "3600", "7200", "14400", "28800", "86400", "+Inf"]
        return zip(bounds, cumulative).map { #"cronjob_duration_seconds_bucket{job_name="\#(job)",host="web1",le="\#($0)"} \#($1)"# }
            + [#"cronjob_duration_seconds_sum{job_name="\#(job)",host="web1"} \#(sum)"#,
               #"cronjob_duration_seconds_count{job_name="\#(job)",host="web1"} \#(cumulative.last ?? 0)"#]
    }

    @Test("a job with metrics.duration_histogram exports exact buckets, others none; kept across a restart", arguments: StoreBackend.allCases)
    func optIn(_ backend: StoreBackend) async throws {
        let fixture = try await ServerFixture(backend, threshold: 864_000)
        try fixture.addJob("h", threshold: 864_000, extra: "metrics: {duration_histogram: true}")
        try fixture.addJob("plain", threshold: 864_000)
        let want = Self.expected("h", [1, 2, 2, 3, 3, 4, 4, 4, 4, 4, 5, 5, 5, 5, 5], sum: "5123.5")
        try await fixture.app().test(.router) { client async throws in
            #expect(Self.lines(try await client.metrics(), "h") == Self.expected("h", Array(repeating: 0, count: 15), sum: "0"),
                    "zeros before the first run, so rate() works from it")
            for duration in [0.5, 3, 100, 5000] { try await Self.send(client, "h", duration: duration) }
            try await Self.send(client, "plain", duration: 7)
            // A run whose result has no duration: the time since its start (20 s), in the 30 s bucket.
            #expect(try await client.start(#"{"job_name":"h","host":"web1"}"#, key: "key-h").0 == .created)
            fixture.clock.advance(20)
            try await Self.send(client, "h", duration: nil)
            let text = try await client.metrics()
            #expect(Self.lines(text, "h") == want)
            #expect(Self.lines(text, "plain").isEmpty)
            #expect(text.contains("# TYPE cronjob_duration_seconds histogram"))
            #expect(try await client.value("cronjob_last_duration_seconds", "plain") == "7", "the last duration for every job")
        }
        // Kept with the job's state, read back as the next start reads it.
        let row = try await fixture.rows("SELECT duration_histogram, duration_sum FROM job_state WHERE job_id = 'h@web1'")
        let parts = try #require(row.first?.split(separator: "|").map(String.init))
        let stored = try #require(DurationHistogram(json: parts[0], sum: Double(parts[1]) ?? 0))
        #expect(stored.counts == [1, 1, 0, 1, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0] && stored.sum == 5_123.5)
        #expect(try await fixture.rows("SELECT duration_histogram FROM job_state WHERE job_id = 'plain@web1'") == [""])
    }

    @Test("metrics.duration_histogram turns it on for every job but those whose file says false", arguments: StoreBackend.allCases)
    func globalDefault(_ backend: StoreBackend) async throws {
        let fixture = try await ServerFixture(backend, threshold: 864_000)
        try fixture.addJob("plain", threshold: 864_000)
        try fixture.addJob("off", threshold: 864_000, extra: "metrics: {duration_histogram: false}")
        try await fixture.app { $0.durationHistogram = true }.test(.router) { client in
            try await Self.send(client, "plain", duration: 2)
            try await Self.send(client, "off", duration: 2)
            let text = try await client.metrics()
            #expect(Self.lines(text, "plain") == Self.expected("plain", [0] + Array(repeating: 1, count: 14), sum: "2"))
            #expect(Self.lines(text, "off").isEmpty)
        }
    }
}
