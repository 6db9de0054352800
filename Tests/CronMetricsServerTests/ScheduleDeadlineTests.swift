import CronMetricsCore
import CronMetricsTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
@testable import CronMetricsServer

@Suite("Deadlines from schedules")
struct ScheduleDeadlineTests {
    static func at(_ text: String) -> Date { RFC3339.parse(text)! }

    static func ok(_ name: String) -> String { #"{"job_name":"\#(name)","host":"web1","status":"success"}"# }

    @Test("a daily job is expected at its scheduled time plus grace, and misses after", arguments: StoreBackend.allCases)
    func daily(_ backend: StoreBackend) async throws {
        let fixture = try await ServerFixture(backend)
        fixture.clock.set(Self.at("2026-06-01T10:00:00Z"))
        try fixture.addJob("nightly", threshold: nil, extra: "schedule: \"0 3 * * *\"\ngrace: 10m")
        try await fixture.app().test(.router) { client async throws in
            // Added at 10:00: the next run is tomorrow 03:00, due by 03:10.
            #expect(try await client.value("cronjob_next_expected_timestamp_seconds", "nightly") == "\(Int(Self.at("2026-06-02T03:10:00Z").timeIntervalSince1970))")
            #expect(try await client.value("cronjob_deadline_timestamp_seconds", "nightly") == "\(Int(Self.at("2026-06-02T03:10:00Z").timeIntervalSince1970))")
            #expect(try await client.statusLine("nightly")?.hasSuffix(#"status="pending"} -1"#) == true)
            #expect(try await client.value("cronjob_threshold_seconds", "nightly") == nil)
            fixture.clock.set(Self.at("2026-06-02T03:04:00Z"))
            #expect(try await client.submit(Self.ok("nightly"), key: "key-nightly").0 == .created)
            #expect(try await client.value("cronjob_next_expected_timestamp_seconds", "nightly") == "\(Int(Self.at("2026-06-03T03:10:00Z").timeIntervalSince1970))")
            fixture.clock.set(Self.at("2026-06-03T03:10:00Z"))
            #expect(try await client.statusLine("nightly")?.hasSuffix(#"status="success"} 1"#) == true)
            fixture.clock.advance(1)
            #expect(try await client.statusLine("nightly")?.hasSuffix(#"status="missed_deadline"} 0"#) == true)
        }
    }

    @Test("a run reporting up to a minute early counts for its scheduled time; earlier is the previous run", arguments: [
        (30.0, "2026-06-03T03:05:00Z"),   // 30 s early (a fast host clock): tomorrow's run is next
        (90.0, "2026-06-02T03:05:00Z"),   // 90 s early: still owes today's 03:00 run
    ])
    func earlyPings(secondsEarly: Double, expected: String) async throws {
        let fixture = try await ServerFixture()
        fixture.clock.set(Self.at("2026-06-01T12:00:00Z"))
        try fixture.addJob("nightly", threshold: nil, extra: "schedule: \"0 3 * * *\"\ngrace: 5m")
        try await fixture.app().test(.router) { client async throws in
            fixture.clock.set(Self.at("2026-06-02T03:00:00Z").addingTimeInterval(-secondsEarly))
            #expect(try await client.submit(Self.ok("nightly"), key: "key-nightly").0 == .created)
            #expect(try await client.value("cronjob_next_expected_timestamp_seconds", "nightly") == "\(Int(Self.at(expected).timeIntervalSince1970))")
            fixture.clock.set(Self.at("2026-06-02T03:05:01Z"))
            let missed = try await client.statusLine("nightly")?.hasSuffix(#"status="missed_deadline"} 0"#) == true
            #expect(missed == (secondsEarly > 60), "a run \(secondsEarly) s early")
        }
    }

    @Test("schedule and threshold: whichever deadline comes first; the schedule reads in its time zone", arguments: StoreBackend.allCases)
    func both(_ backend: StoreBackend) async throws {
        let fixture = try await ServerFixture(backend)
        fixture.clock.set(Self.at("2026-06-01T10:00:00Z"))
        // 03:00 in Berlin is 01:00 UTC in summer.
        try fixture.addJob("both", threshold: 7200, extra: "schedule: \"0 3 * * *\"\ntimezone: Europe/Berlin")
        try await fixture.app().test(.router) { client async throws in
            #expect(try await client.value("cronjob_next_expected_timestamp_seconds", "both") == "\(Int(Self.at("2026-06-02T01:05:00Z").timeIntervalSince1970))")
            #expect(try await client.value("cronjob_deadline_timestamp_seconds", "both") == "\(Int(Self.at("2026-06-01T12:00:00Z").timeIntervalSince1970))")
            #expect(try await client.value("cronjob_threshold_seconds", "both") == "7200")
        }
    }

    @Test("schedule errors are file:line:column with a hint", arguments: [
        ("schedule: \"0 3 * *\"", "4:11: 'schedule' is not a cron schedule (got \"0 3 * *\"): a schedule has 5 fields (minute hour day-of-month month day-of-week), not 4"),
        ("schedule: \"0 3 * * *\"\ntimezone: Europe/Berln", "5:11: 'timezone' is not a known time zone (got \"Europe/Berln\") (did you mean 'Europe/Berlin'?)"),
        ("schedule: \"0 3 * * *\"\ngrace: soon", "5:8: 'grace' is not a valid duration (got \"soon\"): write a positive number of seconds (3600) or a duration such as \"90m\", \"1h30m\", \"2d\""),
        ("automatic_failure_threshold: 60\nmax_runtime: 0", "5:14: 'max_runtime' is not a valid duration (got \"0\"): it must be longer than zero"),
    ])
    func errors(extra: String, message: String) {
        let text = "version: 1\njob_name: a\nhost: h\n" + extra + "\n"
        let decoded = JobFileDecoder().decode(Data(text.utf8), path: "a.yaml")
        let errors = decoded.diagnostics.filter { $0.severity == .error }.map { "\($0.line):\($0.column): \($0.message)" }
        #expect(errors == [message])
    }
}
