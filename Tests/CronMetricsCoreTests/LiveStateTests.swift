import Foundation
import Testing
@testable import CronMetricsCore

@Suite("Live state and the deadline state machine")
struct LiveStateTests {
    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    static func stored(_ status: Lifecycle, threshold: Int = 600) -> StoredJob {
        StoredJob(job: Job(jobName: "j", host: "h", threshold: JobDuration(seconds: threshold), status: status,
                           apiKeySHA256: APIKeyHash.sha256Hex(of: "k")),
                  path: "j@h.yaml", contentHash: "x", firstSeen: t0)
    }

    static let id = JobID(jobName: "j", host: "h")

    static func status(_ state: LiveState, at time: Date) -> ExportedStatus? {
        state.job(id, now: time)?.verdict?.status
    }

    @Test("a job that becomes active again counts its deadline from then, not from its old result")
    func reactivation() {
        let state = LiveState()
        state.replaceJobs([Self.stored(.paused)], now: Self.t0)
        let later = Self.t0.addingTimeInterval(86_400)
        #expect(Self.status(state, at: later) == .paused)
        state.replaceJobs([Self.stored(.active)], now: later)
        #expect(Self.status(state, at: later.addingTimeInterval(600)) == .pending)
        #expect(Self.status(state, at: later.addingTimeInterval(601)) == .missedDeadline)
        let saved = state.tick(now: later.addingTimeInterval(601))
        #expect(saved.bookkeeping.map(\.missedDeadlinesTotal) == [1])
        #expect(saved.bookkeeping.first?.activatedAt == later)
        #expect(state.tick(now: later.addingTimeInterval(602)) == saved, "pending until saved")
        state.saved(saved)
        #expect(state.tick(now: later.addingTimeInterval(5000)).isEmpty)  // one silence, one miss
    }

    static func result(_ version: Int64, at seconds: Double, _ status: RunStatus = .success) -> StoredSignal {
        var result = JobResult(jobID: id, receivedAt: t0.addingTimeInterval(seconds), status: status)
        result.stateVersion = version
        return .result(result)
    }

    @Test("versions: a signal a stored snapshot already holds is not counted again; an older snapshot changes nothing; a gap asks for a re-read")
    func versions() {
        let state = LiveState()
        state.replaceJobs([Self.stored(.active)], now: Self.t0)
        #expect(state.apply([Self.result(1, at: 1)], now: Self.t0) == [])
        #expect(state.job(Self.id, now: Self.t0)?.state.runsTotal == 1)
        // Another replica stored two results: its snapshot (version 3) comes before this server's own answer for version 2.
        var snapshot = JobState()
        (snapshot.version, snapshot.runsTotal, snapshot.failuresTotal, snapshot.lastStatus) = (3, 3, 1, .failure)
        #expect(state.applyStored([Self.id: snapshot], now: Self.t0) == 1)
        #expect(state.apply([Self.result(2, at: 2, .failure)], now: Self.t0) == [], "version 2 is in the snapshot")
        #expect(state.job(Self.id, now: Self.t0)?.state.runsTotal == 3)
        #expect(state.job(Self.id, now: Self.t0)?.state.failuresTotal == 1)
        // A snapshot read before version 3 arrives late: nothing changes.
        var old = snapshot
        (old.version, old.runsTotal) = (2, 2)
        #expect(state.applyStored([Self.id: old], now: Self.t0) == 0)
        #expect(state.job(Self.id, now: Self.t0)?.state.runsTotal == 3)
        // This server's result at version 5: version 4 (someone else's) is missing.
        #expect(state.apply([Self.result(5, at: 5)], now: Self.t0) == [Self.id])
        #expect(state.job(Self.id, now: Self.t0)?.state.version == 5)
        #expect(state.job(Self.id, now: Self.t0)?.state.lastStatus == .success)
    }

    @Test("after results, scrapes and reloads that add, remove and change jobs across blocks, /metrics equals a fresh render of the same jobs and states")
    func seriesAfterChurn() {
        func job(_ number: Int, labels: [String: String] = [:]) -> StoredJob {
            StoredJob(job: Job(jobName: "job-\(number)", host: "h", threshold: JobDuration(seconds: 600 + number), labels: labels,
                               metrics: number % 7 == 0 ? JobMetricsOptions(durationHistogram: true) : nil),
                      path: "job-\(number).yaml", contentHash: "x", firstSeen: Self.t0)
        }
        func text(_ state: LiveState, at time: Date) -> String {
            var out: [UInt8] = []
            state.renderJobMetrics(now: time, into: &out)
            return String(decoding: out, as: UTF8.self)
        }
        func result(_ number: Int, _ version: Int64, _ status: RunStatus) -> StoredSignal {
            var result = JobResult(jobID: JobID(jobName: "job-\(number)", host: "h"), receivedAt: Self.t0.addingTimeInterval(Double(number)),
                                   status: status)
            result.duration = Double(number) / 10
            result.stateVersion = version
            return .result(result)
        }
        let state = LiveState()
        state.replaceJobs((0..<700).map { job($0) }, now: Self.t0)
        let beforeScrape = text(state, at: Self.t0)
        #expect(beforeScrape.components(separatedBy: "cronjob_status{").count - 1 == 700)
        state.apply(stride(from: 0, to: 700, by: 3).map { result($0, 1, $0 % 2 == 0 ? .success : .failure) }, now: Self.t0)
        _ = text(state, at: Self.t0)
        // Results after a scrape wait beside their blocks until the next one.
        state.apply(stride(from: 1, to: 700, by: 5).map { result($0, $0 % 3 == 0 ? 2 : 1, .success) }, now: Self.t0)
        // A reload: 100 jobs gone (every block shifts), 50 new ones in the
        // middle of the order, 20 with new labels.
        var jobs = (100..<700).map { job($0, labels: $0 % 30 == 0 ? ["team": "t\($0)"] : [:]) }
        jobs += (0..<50).map { job(10_000 + $0) }
        let later = Self.t0.addingTimeInterval(30)
        state.replaceJobs(jobs, now: later)
        let churned = text(state, at: later)

        let fresh = LiveState()
        fresh.replaceJobs(jobs, loadedStates: Dictionary(uniqueKeysWithValues: jobs.compactMap { stored in
            state.job(stored.job.id, now: later).map { (stored.job.id, $0.state) }
        }), now: later)
        #expect(churned == text(fresh, at: later))
        #expect(churned.components(separatedBy: "cronjob_status{").count - 1 == 650)
        #expect(churned.contains(#"cronjob_status{job_name="job-120",host="h",team="t120",status="success"} 1"#))
        // job-102's result came before the first scrape, job-106's after it.
        #expect(churned.contains("cronjob_runs_total{job_name=\"job-102\",host=\"h\"} 1\n"))
        #expect(churned.contains("cronjob_runs_total{job_name=\"job-106\",host=\"h\"} 1\n"))
        #expect(!churned.contains("job_name=\"job-99\""))
    }

    @Test("a job already past its deadline at start has its miss counted")
    func missedAtStart() {
        let state = LiveState()
        state.replaceJobs([Self.stored(.active)], now: Self.t0.addingTimeInterval(10_000))
        let pending = state.tick(now: Self.t0.addingTimeInterval(10_000))
        #expect(pending.bookkeeping.map(\.missedDeadlinesTotal) == [1])
        // Saved: the store moved the state on two versions (the bookkeeping, then the flip).
        #expect(state.saved(pending, versions: [Self.id: StateVersions(before: 0, after: 2)]).isEmpty)
        #expect(state.job(Self.id, now: Self.t0)?.state.version == 2)
        #expect(state.tick(now: Self.t0.addingTimeInterval(10_001)).isEmpty, "saved once, not again every tick")
    }

    @Test("bookkeeping of a job removed before it was saved is still handed out")
    func departedBookkeeping() {
        let state = LiveState()
        state.replaceJobs([Self.stored(.active)], now: Self.t0.addingTimeInterval(10_000))
        state.replaceJobs([], now: Self.t0.addingTimeInterval(10_001))
        let pending = state.tick(now: Self.t0.addingTimeInterval(10_002))
        #expect(pending.bookkeeping.map(\.missedDeadlinesTotal) == [1])
        state.saved(pending)
        #expect(state.tick(now: Self.t0.addingTimeInterval(10_003)).isEmpty)
    }

    @Test("keys are looked up by hash and checked against the job")
    func authorization() {
        let state = LiveState()
        state.replaceJobs([Self.stored(.active)], now: Self.t0)
        #expect(state.authorize(keyHash: APIKeyHash.sha256Hex(of: "nope"), for: Self.id) == .unknownKey)
        #expect(state.authorize(keyHash: APIKeyHash.sha256Hex(of: "k"), for: JobID(jobName: "other", host: "h")) == .otherJob)
        if case .allowed(let job) = state.authorize(keyHash: APIKeyHash.sha256Hex(of: "k"), for: Self.id) {
            #expect(job.id == Self.id)
        } else {
            Issue.record("expected the key to be allowed")
        }
    }

    @Test("numbers are written the way Prometheus reads them")
    func numbers() {
        func text(_ value: Double) -> String {
            var out: [UInt8] = []
            PrometheusText.appendNumber(value, to: &out)
            return String(decoding: out, as: UTF8.self)
        }
        #expect(text(0) == "0")
        #expect(text(-1) == "-1")
        #expect(text(1_761_854_160) == "1761854160")
        #expect(text(27.5) == "27.5")
        #expect(text(.nan) == "NaN")
        #expect(text(.infinity) == "+Inf")
    }

    @Test("a job's series: each family's lines where its table says, whatever the number of families")
    func seriesLayout() {
        var state = JobState()
        state.lastStatus = .success
        state.lastRunAt = Self.t0
        state.lastSuccessAt = Self.t0
        state.lastFailureAt = Self.t0
        state.lastDuration = 1.5
        state.lastExitCode = 0
        state.lastStartAt = Self.t0
        let verdict = Verdict(status: .success, deadline: Self.t0, anchor: Self.t0, nextExpected: Self.t0, nextChange: Self.t0)
        var windowed = Self.stored(.active).job
        windowed.maintenanceWindows = [MaintenanceWindow(schedule: try! CronSchedule(parsing: "0 1 * * 0"), duration: JobDuration(seconds: 3600))]
        let series = JobSeries(job: windowed, state: state, verdict: verdict, durations: true)
        #expect(JobSeries.tableBytes == (JobFamily.allCases.count + 1) * 4)
        for family in JobFamily.allCases {
            let lines = String(decoding: series.lines(family), as: UTF8.self)
            // The histogram's lines are its buckets (15), _sum and _count.
            let name = family == .durations ? family.name + "_bucket" : family.name
            #expect(lines.hasPrefix(name + "{job_name=\"j\",host=\"h\""), "\(family): \(lines)")
            #expect(lines.split(separator: "\n").count == (family == .durations ? 17 : 1), "\(family): \(lines)")
        }
        let without = JobSeries(job: Self.stored(.active).job, state: state, verdict: verdict)
        #expect(without.lines(.durations).isEmpty, "no histogram unless asked for")
        #expect(without.lines(.inMaintenanceWindow).isEmpty, "no window line for a job without windows")
        #expect(String(decoding: series.lines(.inMaintenanceWindow), as: UTF8.self).hasSuffix("} 0\n"), "outside its window")
        #expect(series.text.count == JobFamily.allCases.map { series.lines($0).count }.reduce(0, +))
        #expect(JobSeries().text.isEmpty && JobFamily.allCases.allSatisfy { JobSeries().lines($0).isEmpty })
    }
}
