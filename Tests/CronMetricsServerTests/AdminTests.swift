import CompressNIO
import CronMetricsTestSupport
import CronMetricsCore
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import CronMetricsServer

@Suite("Admin routes")
struct AdminTests {
    @Test("history needs the admin key, is newest first and paginates")
    func history() async throws {
        let fixture = try await ServerFixture(jobs: "a")
        try await fixture.app().test(.router) { client async throws in
            for code in 0..<5 {
                fixture.clock.advance(1)
                #expect(try await client.submit(#"{"job_name":"a","host":"web1","exit_code":\#(code)}"#, key: "key-a").0 == .created)
            }
            try await client.execute(uri: "/api/job/a@web1/results", method: .get) { response in
                #expect(response.status == .unauthorized)
                #expect(response.headers[.wwwAuthenticate] == "Bearer")
            }
            try await client.execute(uri: "/api/job/a@web1/results", method: .get, headers: [.authorization: "Bearer wrong"]) { response in
                #expect(response.status == .unauthorized)
            }
            try await client.execute(uri: "/api/job/a@web1/results", method: .get, headers: [.authorization: "Bearer key-a"]) { response in
                #expect(response.status == .unauthorized)  // a job key is no admin key
            }
            let first = try await client.history("a@web1", "?limit=3")
            #expect(first.results.compactMap(\.exitCode) == [4, 3, 2])
            let cursor = try #require(first.nextBefore)
            let second = try await client.history("a@web1", "?limit=3&before=\(cursor)")
            #expect(second.results.compactMap(\.exitCode) == [1, 0])
            #expect(second.nextBefore == nil)
            try await client.execute(uri: "/api/job/nope@web1/results", method: .get, headers: ServerFixture.admin) { response in
                #expect(response.status == .notFound)
            }
            try await client.execute(uri: "/api/job/a@web1/results?limit=0", method: .get, headers: ServerFixture.admin) { response in
                #expect(response.status == .unprocessableContent)
            }
        }
    }

    @Test("a stored result the server cannot read is left out of the history, logged and counted", arguments: StoreBackend.allCases)
    func corruptResultCounted(_ backend: StoreBackend) async throws {
        let fixture = try await ServerFixture(backend, jobs: "a")
        let logs = LogCapture()
        try await fixture.app(logger: logs.logger).test(.live) { client async throws in
            for code in 0..<3 {
                fixture.clock.advance(1)
                #expect(try await client.submit(#"{"job_name":"a","host":"web1","exit_code":\#(code)}"#, key: "key-a").0 == .created)
            }
            #expect(try await client.metrics().contains("cronmetrics_store_corrupt_rows_total 0\n"))
            // Another writer (a restore gone wrong, a manual edit) leaves a status no build knows.
            try await fixture.execute("UPDATE results SET status = 'sideways' WHERE exit_code = 1")
            let history = try await client.history("a@web1", "")
            #expect(history.results.compactMap(\.exitCode) == [2, 0], "the unreadable row is left out, the others kept")
            #expect(try await client.metrics().contains("cronmetrics_store_corrupt_rows_total 1\n"))
            #expect(logs.contains("corrupt row in results.status: unknown status sideways"))
        }
    }
}
