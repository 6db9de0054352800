import CronMetricsCore
import Foundation

/// A job as the API shows it: the file's fields (same names as in YAML), where
/// it lives, and its current state. The key hash is not shown, only whether
/// there is one.
struct JobBody: Encodable {
    struct LastResult: Encodable {
        var status: String
        var receivedAt: Date?
        var timestamp: Date?
        var duration: Double?
        var exitCode: Int?

        enum CodingKeys: String, CodingKey {
            case status, timestamp, duration
            case receivedAt = "received_at"
            case exitCode = "exit_code"
        }
    }

    struct State: Encodable {
        var status: String
        var value: Int
        var deadline: Date?
        var firstSeen: Date
        var lastResult: LastResult?
        var runsTotal: Int
        var failuresTotal: Int
        var missedDeadlinesTotal: Int

        enum CodingKeys: String, CodingKey {
            case status, value, deadline
            case firstSeen = "first_seen"
            case lastResult = "last_result"
            case runsTotal = "runs_total"
            case failuresTotal = "failures_total"
            case missedDeadlinesTotal = "missed_deadlines_total"
        }
    }

    var id: String
    var jobName: String
    var host: String
    var threshold: ThresholdValue
    var thresholdSeconds: Int
    var status: String
    var maintenanceUntil: Date?
    var labels: [String: String]
    var description: String?
    var hasAPIKey: Bool
    var path: String
    var state: State?

    enum CodingKeys: String, CodingKey {
        case id, host, status, labels, description, path, state
        case jobName = "job_name"
        case threshold = "automatic_failure_threshold"
        case thresholdSeconds = "threshold_seconds"
        case maintenanceUntil = "maintenance_until"
        case hasAPIKey = "has_api_key"
    }

    /// The threshold as written: a number of seconds or a duration string.
    enum ThresholdValue: Encodable {
        case seconds(Int)
        case text(String)

        func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case let .seconds(value): try container.encode(value)
            case let .text(value): try container.encode(value)
            }
        }
    }

    init(_ stored: StoredJob, live: (job: Job, firstSeen: Date, state: JobState, verdict: Verdict?)?) {
        let job = stored.job
        id = job.id.description
        jobName = job.jobName
        host = job.host
        threshold = job.threshold.text.map(ThresholdValue.text) ?? .seconds(job.threshold.seconds)
        thresholdSeconds = job.threshold.seconds
        status = job.status.rawValue
        maintenanceUntil = job.maintenanceUntil
        labels = job.labels
        description = job.description
        hasAPIKey = job.apiKeySHA256 != nil
        path = stored.path
        if let live {
            let verdict = live.verdict
            state = State(
                status: verdict?.status.rawValue ?? "retired", value: verdict?.status.value ?? -1,
                deadline: verdict?.deadline, firstSeen: live.firstSeen,
                lastResult: live.state.lastStatus.map {
                    LastResult(status: $0.rawValue, receivedAt: live.state.lastReceivedAt, timestamp: live.state.lastRunAt,
                               duration: live.state.lastDuration, exitCode: live.state.lastExitCode)
                },
                runsTotal: live.state.runsTotal, failuresTotal: live.state.failuresTotal,
                missedDeadlinesTotal: live.state.missedDeadlinesTotal)
        }
    }

    /// The fields of a job file as a JSON-like dictionary (what PATCH merges into).
    static func fields(of job: Job) -> [String: Any] {
        var fields: [String: Any] = [
            "version": Job.schemaVersion, "job_name": job.jobName, "host": job.host,
            "automatic_failure_threshold": job.threshold.text ?? String(job.threshold.seconds),
            "status": job.status.rawValue, "labels": job.labels,
        ]
        if let until = job.maintenanceUntil { fields["maintenance_until"] = RFC3339.format(until) }
        if let hash = job.apiKeySHA256 { fields["api_key_sha256"] = hash }
        if let description = job.description { fields["description"] = description }
        return fields
    }

    /// Decodes job fields with the job-file decoder itself (JSON is YAML), so the
    /// API and files accept exactly the same things with the same messages.
    static func job(from fields: [String: Any]) throws(APIError) -> Job {
        var fields = fields
        if fields["version"] == nil { fields["version"] = Job.schemaVersion }
        guard JSONSerialization.isValidJSONObject(fields),
              let data = try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys])
        else { throw APIError(.badRequest, "body must be a JSON object") }
        let decoded = JobFileDecoder().decode(data, path: "body")
        let errors = decoded.diagnostics.filter { $0.severity == .error }
        guard let job = decoded.job, errors.isEmpty else {
            var error = APIError(.unprocessableContent, errors.first?.message ?? "invalid job", field: errors.first?.field)
            error.details = errors.map(\.message)
            throw error
        }
        return job
    }
}
