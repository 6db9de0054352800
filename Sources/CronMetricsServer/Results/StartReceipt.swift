import CronMetricsCore
import Foundation
import Hummingbird

/// The 201 body of `POST /api/job-start`.
struct StartReceipt: Encodable, ResponseEncodable {
    var jobId: String
    var runId: String?
    var startedAt: Date
    var requestId: String

    init(jobID: JobID, run: OpenRun, requestID: String) {
        jobId = jobID.description
        runId = run.runID
        startedAt = run.startedAt
        requestId = requestID
    }

    func response() -> Response {
        let body = (try? APICoding.encoder.encode(self)) ?? Data()
        var buffer = ByteBuffer(bytes: body)
        buffer.writeString("\n")
        return Response(status: .created, headers: [.contentType: "application/json"], body: .init(byteBuffer: buffer))
    }
}
