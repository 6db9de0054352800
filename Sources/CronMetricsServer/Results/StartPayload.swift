import CronMetricsCore
import Foundation

/// The body of `POST /api/job-start`: `job_name`, `host`, optional `run_id`.
struct StartPayload: Decodable {
    var jobName: String
    var host: String
    var runID: String?

    static let fields = ["job_name", "host", "run_id"]

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: StrictKey.self)
        try StrictJSON.refuseUnknown(container, allowed: Self.fields)
        jobName = try StrictJSON.identifier("job_name", in: container)
        host = try StrictJSON.identifier("host", in: container)
        runID = try StrictJSON.runID(in: container)
    }
}
