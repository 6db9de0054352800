import CronMetricsTestSupport
import CronMetricsCore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// What users of the Go cron-exporter already send keeps working: JSON bodies
/// without (or with another) Content-Type, the admin key in `X-API-Key`, and
/// `/health` as JSON when asked.
@Suite("Requests as the Go cron-exporter's users send them")
struct CronExporterCompatibilityTests {
    static let body = #"{"job_name":"sync_db","host":"web1","status":"success","duration":3}"#

    @Test("a JSON object is a result whatever its Content-Type: none, text/plain, a form (curl -d); other bodies still 415", arguments: [
        (String?.none, body, 201), ("text/plain", body, 201), ("application/x-www-form-urlencoded", body, 201),
        ("application/json; charset=utf-8", body, 201), (nil, "job_name=sync_db&status=success", 415), ("text/plain", "[1]", 415),
    ])
    func anyContentType(contentType: String?, body: String, status: Int) async throws {
        let fixture = try await ServerFixture(jobs: "sync_db")
        try await fixture.app().test(.router) { client async throws in
            let (actual, text) = try await client.submit(body, key: "key-sync_db", contentType: contentType)
            #expect(Int(actual.code) == status, "\(contentType ?? "none"): \(text)")
            #expect(try await client.value("cronjob_runs_total", "sync_db") == (status == 201 ? "1" : "0"))
        }
    }

    @Test("the admin key in X-API-Key, as the original took it: job created without a Content-Type, listed; a wrong one 401", arguments: StoreBackend.allCases)
    func adminKeyHeader(_ backend: StoreBackend) async throws {
        let fixture = try await ServerFixture(backend)
        try await fixture.app().test(.router) { client async throws in
            let key = HTTPField.Name("X-API-Key")!
            try await client.execute(uri: "/api/job", method: .post, headers: [key: ServerFixture.adminKey],
                                     body: ByteBuffer(string: #"{"job_name":"backup","host":"db1","automatic_failure_threshold":3600}"#)) { response in
                #expect(response.status == .created, "\(String(buffer: response.body))")
            }
            try await client.execute(uri: "/api/job", method: .get, headers: [key: ServerFixture.adminKey]) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body).contains("backup@db1"))
            }
            try await client.execute(uri: "/api/job", method: .get, headers: [key: "wrong"]) { response in
                #expect(response.status == .unauthorized)
            }
            try await client.execute(uri: "/api/job", method: .get) { response in
                #expect(response.status == .unauthorized)
                #expect(String(buffer: response.body).contains("X-API-Key"))
            }
        }
        #expect(FileManager.default.fileExists(atPath: "\(fixture.jobsDir)/backup@db1.yaml"))
    }
}
