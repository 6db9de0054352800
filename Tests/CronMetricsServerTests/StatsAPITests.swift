import CronMetricsCore
import CronMetricsTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
@testable import CronMetricsServer

/// `GET /api/job/{id}/stats`, `/api/job/{id}/flips` and `/api/stats` on a
/// server that received results: known answers, read-only keys, refusals.
@Suite("Statistics API")
struct StatsAPITests {
    static let read: HTTPFields = [.authorization: "Bearer \(ReadKeysAndBadgesTests.readKey)"]

    static func submit(_ client: some TestClientProtocol, _ job: String, _ status: String, duration: Double? = nil) async throws {
        let body = #"{"job_name":"\#(job)","host":"web1","status":"\#(status)""# + (duration.map { #","duration":\#($0)"# } ?? "") + "}"
        let (answer, text) = try await client.submit(body, key: "key-\(job)")
        #expect(answer == .created, "\(text)")
    }

    @Test("a job's statistics and flips, and the filtered jobs' per team, with a read-only key", arguments: StoreBackend.allCases)
    func knownAnswers(_ backend: StoreBackend) async throws {
        let fixture = try await ServerFixture(backend)
        try fixture.addJob("a", extra: "labels: {team: infra}")
        try fixture.addJob("b", extra: "labels: {team: infra}")
        try fixture.addJob("c", extra: "labels: {team: dba}")
        try fixture.addJob("d")
        let start = fixture.clock.now
        let app = try await fixture.app(ReadKeysAndBadgesTests.adjust)
        try await app.test(.router) { client in
            // a: success, then failing for 10 minutes, then success; b: three successes of 1, 2 and 4 s; c: a failure.
            try await Self.submit(client, "a", "success", duration: 10)
            fixture.clock.advance(600)
            try await Self.submit(client, "a", "failure")
            try await Self.submit(client, "c", "failure")
            fixture.clock.advance(600)
            try await Self.submit(client, "a", "success")
            for duration in [1.0, 2, 4] { try await Self.submit(client, "b", "success", duration: duration) }
            fixture.clock.advance(600)

            let (status, a) = try await client.reply(JobStatistics.self, .get, "/api/job/a@web1/stats?window=24h", headers: Self.read)
            #expect(status == .ok)
            #expect(a.jobId == "a@web1" && a.window.name == "24h")
            #expect((a.runs, a.successes, a.failures, a.missedDeadlines, a.timeouts) == (3, 2, 1, 0, 0))
            #expect(a.successRatio == 2.0 / 3)
            #expect(a.secondsCounted == 1_800, "from the job's first sight to now")
            #expect(a.secondsFailing == 600)
            #expect(a.uptimeRatio == 1 - 600.0 / 1_800)
            #expect(a.outages == 1 && a.longestOutageSeconds == 600)
            #expect(a.meanTimeBetweenFailuresSeconds == 1_200)
            #expect(a.duration.count == 1 && a.duration.max == 10)
            #expect(a.currentStreak?.status == "success" && a.currentStreak?.runs == 1)

            let (_, flips) = try await client.reply(FlipPage.self, .get, "/api/job/a@web1/flips?limit=2", headers: Self.read)
            #expect(flips.flips.map(\.to) == ["success", "failure"])
            #expect(flips.flips.first?.from == "failure" && flips.flips.first?.reason == "result")
            let next = try #require(flips.nextBefore)
            let (_, older) = try await client.reply(FlipPage.self, .get, "/api/job/a@web1/flips?before=\(next)", headers: Self.read)
            #expect(older.flips.map(\.to) == ["success", "active"], "its first result, and its addition to the tree")
            #expect(older.flips.last?.reason == "lifecycle" && older.flips.last?.at == start)
            #expect(older.nextBefore == nil)

            let (_, report) = try await client.reply(StatsReport.self, .get, "/api/stats?window=24h&group_by=team", headers: Self.read)
            #expect(report.groupBy == "team")
            #expect(report.groups?.map(\.value) == ["dba", "infra", nil], "sorted, the jobs without the label last")
            #expect(report.groups?.map(\.statistics.jobs) == [1, 2, 1])
            #expect(report.groups?.map(\.statistics.runs) == [1, 6, 0])
            #expect(report.groups?[1].statistics.successRatio == 5.0 / 6)
            #expect(report.groups?[1].statistics.duration.max == 10)
            #expect(report.groups?[2].statistics.successRatio == nil, "no runs, no ratio")
            #expect(report.overall.jobs == 4 && report.overall.runs == 7)
            #expect(report.overall.secondsCounted == 4 * 1_800)
            #expect(report.overall.secondsFailing == 600 + 1_200, "a's ten minutes, c's twenty")
            let (_, infra) = try await client.reply(StatsReport.self, .get, "/api/stats?label.team=infra&window=24h", headers: Self.read)
            #expect(infra.overall.jobs == 2 && infra.overall.runs == 6 && infra.groups == nil)
            let (noneStatus, none) = try await client.reply(StatsReport.self, .get, "/api/stats?label.team=nobody&window=24h&group_by=team",
                                                            headers: Self.read)
            #expect(noneStatus == .ok && none.overall.jobs == 0 && none.overall.runs == 0 && none.groups == [], "no job matches: zeros, on both stores")
            let (_, span) = try await client.reply(JobStatistics.self, .get,
                                                   "/api/job/a@web1/stats?from=\(RFC3339.format(start + 300))&to=\(RFC3339.format(start + 900))",
                                                   headers: Self.read)
            #expect(span.window.name == nil && span.secondsCounted == 600 && span.secondsFailing == 300)
        }
    }

    @Test("refusals: a bad window names its field, an unknown job is 404, no key is 401")
    func refusals() async throws {
        let fixture = try await ServerFixture(jobs: "a")
        let app = try await fixture.app()
        try await app.test(.router) { client in
            for (query, field) in [("window=7w", "window"), ("window=0d", "window"), ("window=401d", "window"),
                                   ("from=yesterday", "from"), ("window=7d&from=2026-01-01T00:00:00Z", "window"),
                                   ("from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z", "from")] {
                let (status, error) = try await client.reply(ErrorBody.self, .get, "/api/job/a@web1/stats?\(query)", headers: ServerFixture.admin)
                #expect(status == .unprocessableContent, "\(query)")
                #expect(error.field == field, "\(query)")
            }
            let (status, error) = try await client.reply(ErrorBody.self, .get, "/api/stats?group_by=bad-name", headers: ServerFixture.admin)
            #expect(status == .unprocessableContent && error.field == "group_by")
            #expect(try await client.reply(ErrorBody.self, .get, "/api/job/zz@web1/stats", headers: ServerFixture.admin).0 == .notFound)
            #expect(try await client.reply(ErrorBody.self, .get, "/api/job/zz@web1/flips", headers: ServerFixture.admin).0 == .notFound)
            #expect(try await client.execute(uri: "/api/stats", method: .get) { $0.status } == .unauthorized)
        }
    }
}
