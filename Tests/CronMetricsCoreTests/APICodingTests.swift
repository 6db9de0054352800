import Foundation
import Testing
@testable import CronMetricsCore

/// The API's models read back what they wrote, in the API's own coding
/// (snake_case on the wire: a property named `runID` would be written as
/// `run_id` and read back from `runId`, silently nil).
@Suite("API models round trip")
struct APICodingTests {
    @Test("a result record keeps its run id through the API's JSON")
    func resultRecord() throws {
        let result = JobResult(id: 7, jobID: JobID(jobName: "a", host: "b"), receivedAt: Date(timeIntervalSince1970: 1_800_000_000),
                               status: .success, duration: 1.5, exitCode: 0, output: "ok", runID: "r-1")
        let data = try APICoding.encoder.encode(ResultRecord(result))
        #expect(String(decoding: data, as: UTF8.self).contains(#""run_id":"r-1""#))
        let decoded = try APICoding.decoder.decode(ResultRecord.self, from: data)
        #expect(decoded.runId == "r-1")
        #expect(decoded.id == 7 && decoded.exitCode == 0 && decoded.output == "ok")
    }
}
