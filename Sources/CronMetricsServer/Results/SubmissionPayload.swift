import CronMetricsCore
import Foundation

/// The body of `POST /api/job-result`, decoded strictly: unknown fields and
/// wrong types are errors naming the field.
struct SubmissionPayload: Decodable {
    /// The job and run it names, read as a start signal's body is.
    var run: StartPayload
    var jobName: String { run.jobName }
    var host: String { run.host }
    var runID: String? { run.runID }
    var status: RunStatus?
    var duration: Double?
    var timestamp: String?
    var exitCode: Int?
    var output: String?
    var labels: [String: String]?

    static let fields = ["job_name", "host", "status", "duration", "timestamp", "exit_code", "output", "labels", "run_id"]

    /// Decodes `data`: a payload, or a 400 (not JSON) or 422 naming the field.
    static func decode(_ data: Data) throws(APIError) -> SubmissionPayload {
        try StrictJSON.decode(SubmissionPayload.self, from: data)
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: StrictKey.self)
        run = try StartPayload(container, allowed: Self.fields)
        if let text = try container.decodeIfPresent(String.self, forKey: StrictKey("status")) {
            guard let status = RunStatus(rawValue: text), status != .log else {
                throw APIError(.unprocessableContent, "'status' must be success or failure (got \"\(text.excerpt)\")", field: "status")
            }
            self.status = status
        }
        if let number = try container.decodeIfPresent(Double.self, forKey: StrictKey("exit_code")) {
            guard number == number.rounded(), abs(number) <= Double(Int32.max) else {
                throw APIError(.unprocessableContent, "'exit_code' must be an integer", field: "exit_code")
            }
            exitCode = Int(number)
        }
        if status == nil, exitCode == nil {
            throw APIError(.unprocessableContent, "'status' is required unless 'exit_code' is given (0 means success)", field: "status")
        }
        duration = try container.decodeIfPresent(Double.self, forKey: StrictKey("duration"))
        if let duration, !(duration.isFinite && duration >= 0 && duration <= Double(JobDuration.maximumSeconds)) {
            throw APIError(.unprocessableContent, "'duration' must be a number of seconds from 0 to \(JobDuration.maximumSeconds)", field: "duration")
        }
        timestamp = try container.decodeIfPresent(String.self, forKey: StrictKey("timestamp"))
        output = try container.decodeIfPresent(String.self, forKey: StrictKey("output"))
        labels = try container.decodeIfPresent([String: String].self, forKey: StrictKey("labels"))
    }
}
