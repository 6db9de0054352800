import CronMetricsCore
import Foundation

/// The body of `POST /api/job-start`: `job_name`, `host`, optional `run_id`.
struct StartPayload: Decodable {
    var jobName: String
    var host: String
    var runID: String?

    static let fields = ["job_name", "host", "run_id"]

    init(from decoder: any Decoder) throws {
        try self.init(try decoder.container(keyedBy: StrictKey.self), allowed: Self.fields)
    }

    /// The fields that name a job's run, of a body whose fields are `allowed`
    /// (a result's body names its run the same way).
    init(_ container: KeyedDecodingContainer<StrictKey>, allowed: [String]) throws {
        try StrictJSON.refuseUnknown(container, allowed: allowed)
        jobName = try StrictJSON.identifier("job_name", in: container)
        host = try StrictJSON.identifier("host", in: container)
        runID = try StrictJSON.runID(in: container)
    }
}
