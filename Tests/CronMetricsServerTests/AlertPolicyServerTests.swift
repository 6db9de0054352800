import CronMetricsCore
import CronMetricsTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
@testable import CronMetricsServer

/// The alert policy where people see it: the job page, the API's state and
/// `/metrics` (the rules themselves: ``AlertPolicyTests``).
@Suite("Alert policy on the server: job page, API state, cronjob_in_maintenance_window")
struct AlertPolicyServerTests {
    static let report = """
        depends_on: [db@web1]
        maintenance_windows: [{schedule: "0 9 * * *", duration: 1h}]
        alert_after: 2
        """

    @Test("blocked by its upstream while that fails; the window's line, its next start, and maintenance inside it", arguments: StoreBackend.allCases)
    func shown(_ backend: StoreBackend) async throws {
        let fixture = try await ServerFixture(backend, jobs: "db")
        try fixture.addJob("report", extra: Self.report)
        #expect(RFC3339.format(fixture.clock.now) == "2027-01-15T08:00:00Z")
        try await fixture.app().test(.router) { client in
            let body = #"{"job_name":"db","host":"web1","status":"failure","exit_code":1}"#
            try await client.execute(uri: "/api/job-result", method: .post, headers: [HTTPField.Name("X-API-Key")!: "key-db"],
                                     body: ByteBuffer(string: body)) { #expect($0.status == .created) }
            let mine = #"{"job_name":"report","host":"web1","status":"failure","exit_code":1}"#
            try await client.execute(uri: "/api/job-result", method: .post, headers: [HTTPField.Name("X-API-Key")!: "key-report"],
                                     body: ByteBuffer(string: mine)) { #expect($0.status == .created) }
            let browser = Browser()
            try await browser.signIn(client, key: ServerFixture.adminKey)
            var page = try await browser.execute(client, "/dashboard/jobs/report@web1").body
            #expect(page.contains(#"<strong class="blocked" data-field="blocked_by">blocked by db@web1</strong>"#))
            #expect(page.contains("Its down notifications are held: it is blocked by db@web1"))
            #expect(page.contains("<li>0 9 * * * (UTC): "), "\(page)")
            #expect(page.contains(#"<dd data-field="next_window">"#) && page.contains("after 2 failed runs in a row"))
            let record = try await client.execute(uri: "/api/job/report@web1", method: .get, headers: ServerFixture.admin) {
                try APICoding.decoder.decode(JobRecord.self, from: Data(buffer: $0.body))
            }
            #expect(record.state?.blockedBy == ["db@web1"])
            #expect(record.state?.nextMaintenanceWindow.map(RFC3339.format) == "2027-01-15T09:00:00Z")
            #expect(record.state?.maintenanceWindowUntil == nil)
            #expect(record.dependsOn == ["db@web1"] && record.alertAfter == 2)
            #expect(record.maintenanceWindows == .array([.object(["schedule": .string("0 9 * * *"), "duration": .string("1h")])]))
            var metrics = try await client.execute(uri: "/metrics", method: .get) { String(buffer: $0.body) }
            #expect(metrics.contains("cronjob_in_maintenance_window{job_name=\"report\",host=\"web1\"} 0\n"))
            #expect(!metrics.contains("cronjob_in_maintenance_window{job_name=\"db\""), "no line for a job without windows")

            fixture.clock.set(RFC3339.parse("2027-01-15T09:30:00Z")!)
            page = try await browser.execute(client, "/dashboard/jobs/report@web1").body
            #expect(page.contains("In a maintenance window until"))
            metrics = try await client.execute(uri: "/metrics", method: .get) { String(buffer: $0.body) }
            #expect(metrics.contains("cronjob_in_maintenance_window{job_name=\"report\",host=\"web1\"} 1\n"))
            #expect(metrics.contains("cronjob_status{job_name=\"report\",host=\"web1\",status=\"maintenance\"} -1\n"), "\(metrics)")
            let inside = try await client.execute(uri: "/api/job/report@web1", method: .get, headers: ServerFixture.admin) {
                try APICoding.decoder.decode(JobRecord.self, from: Data(buffer: $0.body))
            }
            #expect(inside.state?.status == "maintenance" && inside.state?.maintenanceWindowUntil.map(RFC3339.format) == "2027-01-15T10:00:00Z")
        }
    }

    @Test("the API refuses a cycle naming it, and an unknown id, with 422 and nothing written", arguments: StoreBackend.allCases)
    func refused(_ backend: StoreBackend) async throws {
        let fixture = try await ServerFixture(backend, jobs: "db")
        try fixture.addJob("report", extra: "depends_on: [db@web1]")
        try await fixture.app().test(.router) { client in
            let before = (try? String(contentsOfFile: "\(fixture.jobsDir)/db@web1.yaml", encoding: .utf8)) ?? ""
            for (patch, message) in [(#"{"depends_on":["report@web1"]}"#, "depends_on forms a cycle: db@web1 → report@web1 → db@web1"),
                                     (#"{"depends_on":["nobody@web1"]}"#, "depends_on names job 'nobody@web1', which is not in the tree")] {
                try await client.execute(uri: "/api/job/db@web1", method: .patch, headers: ServerFixture.admin + [.contentType: "application/json"],
                                         body: ByteBuffer(string: patch)) { response in
                    #expect(response.status == .unprocessableContent)
                    #expect(String(buffer: response.body).contains(message), "\(String(buffer: response.body))")
                }
            }
            #expect((try? String(contentsOfFile: "\(fixture.jobsDir)/db@web1.yaml", encoding: .utf8)) == before)
        }
    }
}
