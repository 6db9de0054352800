import CronMetricsTestSupport
import Foundation
import Testing
@testable import CronMetricsCore

/// Property: for any input, the decoders give a value or an error, never a
/// trap; and what they accept can be written back and read again unchanged.
@Suite("Generated inputs")
struct GeneratedInputTests {
    /// Every field set: the writer tests' sample job, as its file.
    static let fullJob = JobFileRenderer().render(JobFileWriterTests.sample, header: false)

    @Test("the job-file decoder returns a job or errors for 5,000 mutated and random documents", arguments: [1, 2, 3, 4, 5] as [UInt64])
    func jobFiles(seed: UInt64) {
        var mutator = Mutator(seed: seed)
        var accepted = 0
        for round in 0..<1000 {
            let text = round % 5 == 0 ? mutator.noise() : mutator.mutate(Self.fullJob)
            let decoded = JobFileDecoder().decode(Data(text.utf8), path: "fuzz.yaml")
            #expect((decoded.job == nil) == decoded.hasErrors, "seed \(seed) round \(round):\n\(text)")
            #expect(decoded.diagnostics.allSatisfy { $0.line >= 1 && $0.column >= 1 && $0.description.hasPrefix("fuzz.yaml:") })
            guard let job = decoded.job else { continue }
            accepted += 1
            let rendered = JobFileRenderer().render(job)
            #expect(JobFileDecoder().decode(Data(rendered.utf8), path: "x").job == job, "seed \(seed) round \(round): \(text)")
            // Everything a server does with an accepted job, at the far ends of time.
            for now in [Date(timeIntervalSince1970: 0), Date(timeIntervalSince1970: RFC3339.latest), Date()] {
                let state = JobState()
                if let verdict = Verdict.evaluate(job: job, firstSeen: now, state: state, now: now) {
                    _ = JobSeries(job: job, state: state, verdict: verdict)
                    _ = verdict.deadline.map(RFC3339.format)
                }
            }
        }
        #expect(accepted > 50, "the mutations should leave some documents valid")
    }

    static let fullConfig = """
        server:
          listen: 127.0.0.1:9000
          max_body_bytes: 2048
          tls:
            cert_file: ""
            key_file: ""
        jobs:
          dir: ./jobs.d
          watch: poll
          poll_interval_seconds: 5
        storage:
          database: ./x.db
        security:
          admin_api_keys: [a, b]
        retention:
          days: 7
          keep_last: 3
          redact_output: false
          redact_patterns: ["\\\\d+"]
          max_output_bytes: 100
        log:
          level: info
          format: json
        """

    @Test("the configuration loader returns settings or located errors for 3,000 mutated files and environments", arguments: [1, 2, 3] as [UInt64])
    func configurations(seed: UInt64) throws {
        let dir = try TempDir()
        var mutator = Mutator(seed: seed)
        for round in 0..<1000 {
            let path = try dir.write("c\(round % 10).yaml", mutator.mutate(Self.fullConfig))
            var environment: [String: String] = [:]
            if round % 3 == 0, let key = ConfigKey.all.randomElement(using: &mutator.random) {
                environment[key.environmentName] = Mutator.nastyValues.randomElement(using: &mutator.random)
            }
            do {
                let config = try AppConfiguration(file: path, environment: environment)
                for key in ConfigKey.all {
                    if case let .integer(min, max) = key.kind {
                        #expect((min...max).contains(config.integer(key)), "\(key.key) out of bounds")
                    }
                }
            } catch {
                #expect(!error.problems.isEmpty)
                #expect(error.problems.allSatisfy { $0.hasPrefix(path) || $0.hasPrefix("env ") }, "\(error.problems)")
            }
        }
    }
}
