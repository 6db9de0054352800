import CronMetricsCore
import CronMetricsTestSupport
import Foundation
import Testing
@testable import CronMetricsServer

/// Property: any request body decodes to a value or to a 400/422, never a trap.
@Suite("Generated request bodies")
struct GeneratedRequestTests {
    static let submission = """
        {
        "job_name": "sync_db",
        "host": "web1",
        "status": "success",
        "duration": 27,
        "timestamp": "2025-10-30T19:56:00Z",
        "exit_code": 0,
        "output": "last lines",
        "labels": {"a": "b"}
        }
        """

    static let job = """
        {
        "job_name": "backup",
        "host": "db1",
        "automatic_failure_threshold": "1h30m",
        "status": "maintenance",
        "maintenance_until": "2026-12-01T06:00:00Z",
        "labels": {"env": "prod"},
        "description": "Nightly"
        }
        """

    /// Per seed, how many of the 1,500 generated bodies are accepted (and for
    /// jobs, how many parse as a JSON object at all): the generator is seeded,
    /// so these are exact; a change in them is a change in the generator or in
    /// the rules, to be looked at.
    static let acceptedSubmissions: [UInt64: Int] = [1: 73, 2: 83, 3: 94]
    static let jobCounts: [UInt64: (objects: Int, jobs: Int)] = [1: (118, 69), 2: (121, 73), 3: (126, 78)]

    @Test("submission bodies: a payload or a 400/422", arguments: [1, 2, 3] as [UInt64])
    func submissions(seed: UInt64) {
        var mutator = Mutator(seed: seed)
        var accepted = 0
        for round in 0..<1500 {
            let text = round % 5 == 0 ? mutator.noise() : mutator.mutate(Self.submission)
            do {
                let payload = try SubmissionPayload.decode(Data(text.utf8))
                accepted += 1
                #expect(payload.duration.map { $0.isFinite && $0 >= 0 } ?? true)
            } catch {
                #expect([400, 422].contains(error.status.code), "seed \(seed) round \(round): \(error) for \(text)")
            }
        }
        #expect(accepted == Self.acceptedSubmissions[seed], "seed \(seed): \(accepted) accepted")
    }

    @Test("job bodies of the API: a job or a 400/422", arguments: [1, 2, 3] as [UInt64])
    func jobs(seed: UInt64) {
        var mutator = Mutator(seed: seed)
        var objects = 0, jobs = 0
        for round in 0..<1500 {
            let text = round % 5 == 0 ? mutator.noise() : mutator.mutate(Self.job)
            guard let object = (try? APICoding.decoder.decode(JSONValue.self, from: Data(text.utf8)))?.object else { continue }
            objects += 1
            do {
                let job = try JobFields.job(from: object)
                _ = JobFileRenderer().render(job)
                jobs += 1
            } catch {
                #expect([400, 422].contains(APIError(error).status.code), "seed \(seed) round \(round): \(error)")
            }
        }
        #expect(objects == Self.jobCounts[seed]?.objects && jobs == Self.jobCounts[seed]?.jobs, "seed \(seed): \(objects) objects, \(jobs) jobs")
    }
}
