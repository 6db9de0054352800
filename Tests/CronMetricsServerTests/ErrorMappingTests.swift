import CronMetricsCore
import Testing
@testable import CronMetricsServer

/// Every area's errors get their HTTP status in one place, one status per
/// meaning (the table in docs/api.md).
@Suite("Error mapping")
struct ErrorMappingTests {
    @Test("the same meaning gets the same status from job edits, the outbox and the store")
    func oneStatusPerMeaning() {
        let id = JobID(jobName: "a", host: "b")
        let cases: [(any Error, Int)] = [
            (JobEditError.notFound(id), 404), (NotificationActionError.notFound("x"), 404),
            (JobEditError.conflict("x"), 409), (NotificationActionError.conflict("x"), 409),
            (JobEditError.invalidField(field: "host", message: "x"), 422), (NotificationActionError.invalid(field: "state", message: "x"), 422),
            (JobEditError.invalidTree(["x"]), 422),
            (JobEditError.refused("x"), 403), (NotificationActionError.refused("x"), 403),
            (JobEditError.unavailable("x"), 503), (NotificationActionError.unavailable("x"), 503), (StoreError.query("x"), 503),
        ]
        for (error, status) in cases {
            #expect(APIError(error).status.code == status, "\(error)")
        }
        #expect(APIError(NotificationActionError.invalid(field: "state", message: "x")).field == "state")
    }
}
