import CronMetricsTestSupport
import Foundation
import Synchronization
import Testing
@testable import CronMetricsCore

@Suite("Retention")
struct RetentionTests {
    @Test("purge removes results older than the cutoff but keeps the last N per job, in batches", arguments: StoreBackend.allCases)
    func purgeKeepsLast(_ backend: StoreBackend) async throws {
        let dir = try TempDir()
        let database = try await backend.open(in: dir.path)
        let base = Date(timeIntervalSince1970: 1_800_000_000)
        let a = JobID(jobName: "a", host: "h"), b = JobID(jobName: "b", host: "h")
        var results: [JobResult] = []
        for day in 0..<10 {
            for id in [a, b] {
                results.append(JobResult(jobID: id, receivedAt: base.addingTimeInterval(Double(day) * 86_400), status: .success))
            }
        }
        _ = try await database.insert(results)
        // Older than day 7, but keep 5 per job: days 5 and 6 survive for both.
        let batches = Mutex<[Int]>([])
        let removed = try await database.purge(olderThan: base.addingTimeInterval(7 * 86_400), keepLast: 5, batchSize: 3) { count, _ in
            batches.withLock { $0.append(count) }
        }
        #expect(removed == 10)
        #expect(batches.withLock { $0 }.allSatisfy { $0 <= 3 })
        #expect(batches.withLock { $0 }.reduce(0, +) == 10)
        #expect(try await database.countResults(for: a) == 5)
        let kept = try await database.fetchResults(for: a, limit: 100).map { $0.receivedAt.timeIntervalSince(base) / 86_400 }
        #expect(kept == [9, 8, 7, 6, 5])
        // keep_last 0: everything older goes.
        #expect(try await database.purge(olderThan: base.addingTimeInterval(9 * 86_400), keepLast: 0) == 8)  // days 5–8 of both
        #expect(try await database.countResults(for: b) == 1)
    }

    @Test("purge removes finished runs that started before the cutoff; open runs stay", arguments: StoreBackend.allCases)
    func purgeRuns(_ backend: StoreBackend) async throws {
        let dir = try TempDir()
        let database = try await backend.open(in: dir.path)
        let base = Date(timeIntervalSince1970: 1_800_000_000)
        let a = JobID(jobName: "a", host: "h")
        var signals: [Signal] = []
        for day in 0..<4 {
            let start = base.addingTimeInterval(Double(day) * 86_400)
            signals.append(.start(jobID: a, runID: "run-\(day)", at: start))
            if day != 1 {  // day 1's run never finished
                signals.append(.result(JobResult(jobID: a, receivedAt: start.addingTimeInterval(60), status: .success, runID: "run-\(day)")))
            }
        }
        _ = try await database.store(signals)
        _ = try await database.purge(olderThan: base.addingTimeInterval(3 * 86_400), keepLast: 0, batchSize: 1)
        let left = try await database.driver.read { db in
            try db.query("SELECT run_id FROM runs ORDER BY started_at").map { try $0.string("run_id") }
        }
        #expect(left == ["run-1", "run-3"])
    }
}
