import Foundation
import Testing
@testable import CronMetricsCore

@Suite("Job file decoding")
struct JobFileDecoderTests {
    static let allowedKeys = "version, job_name, host, automatic_failure_threshold, schedule, timezone, grace, max_runtime, status, maintenance_until, maintenance_windows, labels, notify, alert_after, escalate, depends_on, slo, metrics, api_key_sha256, description"
    static let durationHint = "write a positive number of seconds (3600) or a duration such as \"90m\", \"1h30m\", \"2d\""
    static let identifierHint = "may only contain letters, digits, '_', '.' and '-'"
    static let keyHint = "'api_key_sha256' must be 64 lowercase hex characters, the SHA-256 of the key (echo -n \"$KEY\" | sha256sum)"
    static let timestampHint = "'maintenance_until' must be an RFC 3339 timestamp with a time zone, such as 2026-12-01T06:00:00Z"

    /// Every error kind, pinned to its exact `line:column: message`.
    static let badFiles: [(String, [String])] = [
        ("unknown-key.yaml", ["5:1: unknown key 'colour'; allowed keys are \(allowedKeys)"]),
        ("unknown-key-typo.yaml", ["1:1: missing required key 'host'", "3:1: unknown key 'hots' (did you mean 'host'?)"]),
        ("missing-version.yaml", ["1:1: missing required key 'version' (write 'version: 1')"]),
        ("future-version.yaml", ["1:10: unsupported version 2: this build of cronmetrics reads version 1; upgrade cronmetrics"]),
        ("missing-threshold.yaml", ["1:1: missing required key 'automatic_failure_threshold' (or 'schedule'): a job needs a threshold, a schedule, or both"]),
        ("wrong-type.yaml", ["2:11: 'job_name' must be a single value, not a list"]),
        ("bad-job-name.yaml", ["2:11: 'job_name' \(identifierHint) (got \"back up\")"]),
        ("bad-host.yaml", ["3:7: 'host' \(identifierHint) (got \"../etc\")"]),
        ("bad-duration.yaml", ["4:30: 'automatic_failure_threshold' is not a valid duration (got \"90x\"): \(durationHint)"]),
        ("zero-threshold.yaml", ["4:30: 'automatic_failure_threshold' is not a valid duration (got \"0\"): it must be longer than zero"]),
        ("huge-threshold.yaml", ["4:30: 'automatic_failure_threshold' is not a valid duration (got \"9223372036854775807\"): it may be at most 3650d (10 years)"]),
        ("huge-duration.yaml", ["4:30: 'automatic_failure_threshold' is not a valid duration (got \"3651d\"): it may be at most 3650d (10 years)"]),
        ("long-id.yaml", ["2:11: job id 'aaaaaaaaaaaaaaaa…@bbbbbbbbbbbbbbbb…' is 257 characters long; job_name@host may be at most 250, so that its file name <id>.yaml fits the file system"]),
        ("unordered-duration.yaml", ["4:30: 'automatic_failure_threshold' is not a valid duration (got \"30m1h\"): \(durationHint)"]),
        ("bad-label-name.yaml", ["7:3: label name 'env-x' is invalid: label names must match [a-zA-Z_][a-zA-Z0-9_]*"]),
        ("reserved-label.yaml", ["6:3: label name 'host' is reserved: job_name, host and status are set by cronmetrics"]),
        ("dunder-label.yaml", ["6:3: label name '__meta' must not start with '__' (reserved for Prometheus internals)"]),
        ("labels-not-mapping.yaml", ["5:9: 'labels' must be a mapping of label names to values, such as {env: prod}"]),
        ("bad-lifecycle.yaml", ["5:9: 'status' must be one of active, maintenance, paused, retired (got \"disabled\")"]),
        ("bad-maintenance-until.yaml", ["6:20: \(timestampHint) (got \"tomorrow\")"]),
        ("maintenance-until-no-zone.yaml", ["6:20: \(timestampHint) (got \"2026-12-01T06:00:00\")"]),
        ("api-key-uppercase.yaml", ["5:17: \(keyHint); write it in lowercase"]),
        ("api-key-short.yaml", ["5:17: \(keyHint)"]),
        ("api-key-plaintext.yaml", ["5:17: \(keyHint); this looks like a key itself, which must never be written to a file"]),
        ("invalid-yaml.yaml", ["6:1: invalid YAML: while parsing a flow mapping at line 5, did not find expected ',' or '}'"]),
        ("not-a-mapping.yaml", ["1:1: a job file must be a mapping of keys to values, not a list"]),
        ("empty.yaml", ["1:1: file is empty; a job file needs at least version, job_name, host and automatic_failure_threshold"]),
        ("duplicate-key.yaml", ["3:1: duplicate key 'host': each key may appear only once"]),
        ("slo-no-budget.yaml", ["5:22: 'slo.success_ratio' is not a ratio (got \"100%\"): 100% leaves no error budget: one failed run would break it; write less, such as 99.9%"]),
        ("slo-over-one.yaml", ["5:22: 'slo.success_ratio' is not a ratio (got \"99.5\"): a number is a ratio from 0 to 1: write 99.5% or 0.995"]),
        ("slo-not-ratio.yaml", ["6:18: 'slo.success_ratio' is not a ratio (got \"most\"): write a percentage such as 99.5% or a ratio such as 0.995"]),
        ("slo-bad-window.yaml", ["5:35: 'slo.window' must be a number of hours or days up to 400d, such as 30d or 24h (got \"2w\")"]),
        ("slo-missing-ratio.yaml", ["5:6: 'slo' needs success_ratio, such as {success_ratio: 99.5%, window: 30d}"]),
        ("slo-unknown-key.yaml", ["5:27: unknown key 'target' in 'slo'; allowed keys are success_ratio, window"]),
        ("slo-not-mapping.yaml", ["5:6: 'slo' must be a mapping, such as {success_ratio: 99.5%, window: 30d}"]),
        ("window-no-duration.yaml", ["5:23: 'maintenance_windows[0]' needs duration, such as [{schedule: \"0 1 * * 0\", duration: 2h}]"]),
        ("window-too-long.yaml", ["5:57: 'maintenance_windows[0].duration' is not a valid duration (got \"32d\"): a window may last at most 31d (pause the job instead)"]),
        ("window-too-many.yaml", ["5:22: 'maintenance_windows' may have at most 16 windows (got 17); merge them into fewer schedules"]),
        ("window-bad-schedule.yaml", ["5:34: 'maintenance_windows[0].schedule' is not a cron schedule (got \"0 25 * * *\"): the hour field '25' has 25, outside 0–23"]),
        ("window-bad-zone.yaml", ["5:71: 'maintenance_windows[0].timezone' is not a known time zone (got \"Europe/Berln\") (did you mean 'Europe/Berlin'?)"]),
        ("alert-after-zero.yaml", ["5:14: 'alert_after' must be a whole number of failed runs from 1 to 1000 (got \"0\")"]),
        ("escalate-unordered.yaml", ["5:50: 'escalate[1].after' must be later than the step before it (1h): steps go in order"]),
        ("escalate-no-channel.yaml", ["5:32: 'escalate[0].notify' names no channel: a step must tell someone"]),
        ("escalate-no-notify.yaml", ["5:12: 'escalate[0]' needs notify, such as [{after: 1h, notify: [pager]}]"]),
        ("depends-on-self.yaml", ["5:14: a job cannot depend on itself (backup@db1)"]),
        ("depends-on-bad-id.yaml", ["5:14: 'depends_on' entries are job ids, job_name@host (got \"restore\")"]),
        ("depends-on-twice.yaml", ["5:27: job 'restore@db1' is listed twice"]),
        ("metrics-bad-flag.yaml", ["5:31: 'metrics.duration_histogram' must be true or false (got \"yes please\")"]),
        ("yaml-anchor.yaml", ["4:30: YAML anchors are not allowed (found an anchor '&t'): write the value out where it is used"]),
    ]

    @Test("every bad fixture gives its exact error with line and column", arguments: badFiles)
    func badFixture(name: String, expected: [String]) throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: "\(fixturesPath)/bad/\(name)"))
        let decoded = JobFileDecoder().decode(data, path: "jobs.d/\(name)")
        #expect(decoded.job == nil)
        let errors = decoded.diagnostics.filter { $0.severity == .error }
            .sorted { ($0.line, $0.column) < ($1.line, $1.column) }
        #expect(errors.map { "\($0.line):\($0.column): \($0.message)" } == expected)
        #expect(errors.allSatisfy { $0.description.hasPrefix("jobs.d/\(name):\($0.line):\($0.column): ") })
    }

    @Test("every fixture in bad/ is covered by the table")
    func tableCoversFixtures() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: "\(fixturesPath)/bad").sorted()
        #expect(files == Self.badFiles.map(\.0).sorted())
    }

    @Test("a full file decodes every field")
    func fullFile() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: "\(fixturesPath)/good/full@db1.yaml"))
        let decoded = JobFileDecoder().decode(data, path: "full@db1.yaml")
        #expect(decoded.diagnostics.isEmpty)
        let job = try #require(decoded.job)
        #expect(job.id == JobID(jobName: "backup", host: "db1"))
        #expect(job.threshold?.seconds == 5400)
        #expect(job.threshold?.text == "1h30m")
        #expect(job.status == .maintenance)
        #expect(job.maintenanceUntil == RFC3339.parse("2026-12-01T06:00:00Z"))
        #expect(job.labels == ["env": "prod", "team": "infra"])
        #expect(job.apiKeySHA256 == "5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8")
        #expect(job.description == "Nightly database backup")
        #expect(job.slo == ServiceLevelObjective(successRatio: 0.995, written: .string("99.5%"), window: "7d"))
        #expect(job.slo?.windowSeconds == Double(7 * 86_400))
        #expect(job.metrics == JobMetricsOptions(durationHistogram: true))
        #expect((decoded.idLine, decoded.idColumn) == (3, 11))
        // Written back and read again: the same job, the SLO as the file wrote it.
        let again = try #require(JobFileDecoder().decode(Data(JobFileRenderer().render(job).utf8), path: "again.yaml").job)
        #expect(again == job)
        #expect(JobFileRenderer().render(job).contains("\nslo:\n  success_ratio: \"99.5%\"\n  window: 7d\nmetrics:\n  duration_histogram: true\n"))
        #expect(try Job(definition: job.definitionJSON) == job, "the store's form reads back too")
    }

    @Test("a job without a key hash is valid but warned about")
    func missingKeyWarns() throws {
        let decoded = JobFileDecoder().decode(Data(jobYAML("minimal", host: "h").utf8), path: "m.yaml")
        #expect(decoded.job != nil)
        #expect(decoded.diagnostics.map(\.description) == [
            "m.yaml:1:1: warning: job minimal@h has no api_key_sha256 and accepts no submissions; mint one with 'cronmetrics job rotate-key minimal@h'",
        ])
    }

    @Test("several errors in one file are all reported")
    func severalErrors() {
        let text = "version: 1\njob_name: a b\nhost: db1\nautomatic_failure_threshold: soon\nstatus: off\n"
        let decoded = JobFileDecoder().decode(Data(text.utf8), path: "x.yaml")
        #expect(decoded.diagnostics.map(\.line) == [2, 4, 5])
    }

    @Test("invalid UTF-8 is an error, not a crash")
    func invalidUTF8() {
        let decoded = JobFileDecoder().decode(Data([0x76, 0xff, 0xfe, 0x0a]), path: "x.yaml")
        #expect(decoded.diagnostics.map(\.message) == ["file is not valid UTF-8"])
    }
}
