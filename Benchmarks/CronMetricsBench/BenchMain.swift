import CronMetricsCore
import Foundation
import Synchronization

/// Measures pieces of cronmetrics that have no command of their own. Used by
/// `scripts/bench-jobs.sh`; not shipped.
///
///     cronmetrics-bench reconcile JOBS_DIR DATABASE
@main
struct BenchMain {
    static func main() async throws {
        let arguments = CommandLine.arguments.dropFirst()
        if arguments.first == "render", arguments.count == 2, let count = Int(arguments.last ?? "") {
            render(count: count)
            return
        }
        if arguments.first == "tick", arguments.count == 2 || arguments.count == 3, let count = Int(arguments[arguments.startIndex + 1]) {
            tick(count: count, replicated: arguments.last == "--replicated")
            return
        }
        if arguments.first == "reload", arguments.count == 3 {
            try await reload(root: arguments[arguments.startIndex + 1], databasePath: arguments[arguments.startIndex + 2])
            return
        }
        if arguments.first == "purge", arguments.count == 4 || arguments.count == 5 {
            let numbers = arguments.dropFirst().compactMap { Int($0) }
            if numbers.count == arguments.count - 1 {
                try await purge(jobs: numbers[0], results: numbers[1], keepLast: numbers[2], batch: numbers.count == 4 ? numbers[3] : 500)
                return
            }
        }
        guard arguments.first == "reconcile", arguments.count == 3 else {
            FileHandle.standardError.write(Data("usage: cronmetrics-bench reconcile JOBS_DIR DATABASE | render COUNT | purge JOBS RESULTS_PER_JOB KEEP_LAST [BATCH] | tick COUNT [--replicated] | reload JOBS_DIR DATABASE\n".utf8))
            exit(2)
        }
        let root = arguments[arguments.startIndex + 1]
        let databasePath = arguments[arguments.startIndex + 2]
        let clock = ContinuousClock()
        let start = clock.now
        let database = try await StateStore(path: databasePath)
        let opened = clock.now
        let reconciler = Reconciler(root: root, database: database)
        let cold = try await reconciler.reconcile()
        let coldDone = clock.now
        let warm = try await reconciler.reconcile()
        let warmDone = clock.now
        func ms(_ duration: Duration) -> String {
            String(format: "%.1f", Double(duration.components.attoseconds) / 1e15 + Double(duration.components.seconds) * 1000)
        }
        print("open+migrate_ms=\(ms(opened - start)) cold_reconcile_ms=\(ms(coldDone - opened)) jobs=\(cold.catalog.count) parsed=\(cold.parsedCount) diff=\"\(cold.diff)\"")
        print("warm_reconcile_ms=\(ms(warmDone - coldDone)) parsed=\(warm.parsedCount) diff=\"\(warm.diff)\"")
    }

    /// Times rendering the per-job metrics of COUNT jobs that all have results.
    static func render(count: Int) {
        let now = Date()
        let jobs = (0..<count).map { i in
            StoredJob(job: Job(jobName: String(format: "job%06d", i), host: String(format: "host%03d", i % 500),
                               threshold: JobDuration(seconds: 3600), labels: ["env": "prod", "team": "infra"],
                               apiKeySHA256: APIKeyHash.sha256Hex(of: "k\(i)")),
                      path: "x", contentHash: "x", firstSeen: now)
        }
        let state = LiveState()
        state.replaceJobs(jobs, now: now)
        state.record(jobs.map { JobResult(jobID: $0.job.id, receivedAt: now, status: .success, duration: 1.5, exitCode: 0) }, now: now)
        var samples: [Double] = []
        var dirtySamples: [Double] = []
        var size = 0
        for round in 0..<30 {
            let changed = round % 2 == 1
            if changed {
                // 1% of the jobs report between two scrapes (untimed): the timed
                // render then rebuilds the blocks they touched.
                let results = (0..<max(1, count / 100)).map { _ in
                    JobResult(jobID: jobs[Int.random(in: 0..<count)].job.id, receivedAt: now, status: .success, duration: 2, exitCode: 0)
                }
                state.record(results, now: now)
            }
            let start = ContinuousClock.now
            var out: [UInt8] = []
            out.reserveCapacity(count * 800)
            state.renderJobMetrics(now: now, into: &out)
            let elapsed = ContinuousClock.now - start
            size = out.count
            let ms = Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000
            if changed { dirtySamples.append(ms) } else { samples.append(ms) }
        }
        samples.sort()
        dirtySamples.sort()
        print("render jobs=\(count) bytes=\(size) median_ms=\(String(format: "%.2f", samples[samples.count / 2]))"
            + " median_ms_after_1pct_changed=\(String(format: "%.2f", dirtySamples[dirtySamples.count / 2]))")
    }

    /// Fills a new database with JOBS × RESULTS results received 31 to 90 days
    /// ago, then purges everything older than 30 days (all of them) but the
    /// KEEP_LAST newest per job, timing each batch's transaction.
    static func purge(jobs: Int, results: Int, keepLast: Int, batch batchSize: Int) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cronmetrics-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let database = try await StateStore(path: folder.appendingPathComponent("bench.db").path)
        let now = Date()
        var batch: [JobResult] = []
        for job in 0..<jobs {
            let id = JobID(jobName: "job\(job)", host: "h")
            for index in 0..<results {
                let age = 31 * 86_400 + 59 * 86_400 * Double(results - index) / Double(results)
                batch.append(JobResult(jobID: id, receivedAt: now.addingTimeInterval(-age), status: .success, duration: 1))
                if batch.count == 20_000 {
                    _ = try await database.insert(batch)
                    batch.removeAll(keepingCapacity: true)
                }
            }
        }
        _ = try await database.insert(batch)
        let times = Mutex<[Double]>([])
        let start = ContinuousClock.now
        let removed = try await database.purge(olderThan: now.addingTimeInterval(-30 * 86_400), keepLast: keepLast, batchSize: batchSize) { _, elapsed in
            let ms = Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000
            times.withLock { $0.append(ms) }
        }
        let total = ContinuousClock.now - start
        let sorted = times.withLock { $0 }.sorted()
        func at(_ q: Double) -> String { String(format: "%.1f", sorted[min(sorted.count - 1, Int(Double(sorted.count) * q))]) }
        print("purge jobs=\(jobs) results_per_job=\(results) keep_last=\(keepLast) batch=\(batchSize) removed=\(removed) batches=\(sorted.count)"
            + " batch_ms_p50=\(at(0.5)) p99=\(at(0.99)) max=\(at(1)) total_s=\(String(format: "%.2f", Double(total.components.seconds) + Double(total.components.attoseconds) / 1e18))")
        try await database.close()
    }

    /// COUNT scheduled jobs (five kinds of schedule in five zones, a start and
    /// a result now and then) over two simulated hours: the deadline service's
    /// tick every simulated second, timed; between ticks the signals that
    /// arrived are folded in, untimed. A probe thread takes the state's lock
    /// meanwhile, as a submission or scrape would, and reports its longest wait.
    ///
    /// `replicated`: the leader of replicas. Another thread meanwhile applies
    /// re-read snapshots of 1,000 jobs a second (what other replicas' writes
    /// announced by NOTIFY cost it: ``LiveState/applyStored(_:now:)``), each
    /// a newer version with a result folded in.
    static func tick(count: Int, replicated: Bool = false) {
        let zones = ["UTC", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kathmandu"]
        var now = Date(timeIntervalSince1970: 1_790_000_000)
        let jobs = (0..<count).map { i -> StoredJob in
            let minute = i % 60
            let text = ["\(minute) * * * *", "*/5 * * * *", "\(minute) \(i % 24) * * *", "\(minute) 3 * * 1-5", "@hourly"][i % 5]
            let job = Job(jobName: String(format: "job%06d", i), host: "h", threshold: i % 5 == 0 ? JobDuration(seconds: 3600) : nil,
                          schedule: try? CronSchedule(parsing: text), timezone: zones[i % 5], grace: JobDuration(seconds: 120),
                          maxRuntime: JobDuration(seconds: 3600), labels: ["env": "prod"], apiKeySHA256: APIKeyHash.sha256Hex(of: "k\(i)"))
            return StoredJob(job: job, path: "x", contentHash: "x", firstSeen: now)
        }
        let state = LiveState()
        let loadStart = ContinuousClock.now
        state.replaceJobs(jobs, now: now)
        let load = ContinuousClock.now - loadStart
        var samples: [Double] = []
        var generator = SystemRandomNumberGenerator()
        var resultID: Int64 = 0
        let probing = Atomic<Bool>(true)
        let waits = Mutex<[Double]>([])
        let probe = Thread {
            var local: [Double] = []
            while probing.load(ordering: .relaxed) {
                let start = ContinuousClock.now
                _ = state.count
                local.append(milliseconds(ContinuousClock.now - start))
                usleep(200)
            }
            waits.withLock { $0 = local }
        }
        probe.start()
        let refreshing = Atomic<Bool>(replicated)
        let refreshed = Atomic<Int>(0)
        let clock = Mutex(now)
        let refresher = Thread {
            var generator = SystemRandomNumberGenerator()
            while refreshing.load(ordering: .relaxed) {
                let at = clock.withLock { $0 }
                let id = jobs[Int.random(in: 0..<count, using: &generator)].job.id
                if var stored = state.job(id, now: at)?.state {
                    stored.version += 1
                    stored.record(JobResult(jobID: id, receivedAt: at, status: .success, duration: 2))
                    refreshed.add(state.applyStored([id: stored], now: at), ordering: .relaxed)
                }
                usleep(1000)
            }
        }
        if replicated { refresher.start() }
        for _ in 0..<7200 {
            clock.withLock { $0 = now }
            now = now.addingTimeInterval(1)
            // About one job in 300 reports each second (a 5-minute cadence), a few start.
            let results = (0..<max(1, count / 300)).map { _ -> JobResult in
                resultID += 1
                return JobResult(id: resultID, jobID: jobs[Int.random(in: 0..<count, using: &generator)].job.id, receivedAt: now, status: .success, duration: 1)
            }
            state.record(results, now: now)
            let starts = (0..<max(1, count / 3000)).map { i -> (JobID, OpenRun) in
                (jobs[Int.random(in: 0..<count, using: &generator)].job.id, OpenRun(id: Int64(i), runID: nil, startedAt: now))
            }
            state.started(starts, now: now)
            let start = ContinuousClock.now
            let changes = state.tick(now: now)
            samples.append(milliseconds(ContinuousClock.now - start))
            state.saved(changes)
        }
        probing.store(false, ordering: .relaxed)
        refreshing.store(false, ordering: .relaxed)
        while waits.withLock({ $0.isEmpty }) { usleep(1000) }
        let waited = waits.withLock { $0 }.sorted()
        samples.sort()
        func at(_ list: [Double], _ q: Double) -> String { String(format: "%.3f", list[min(list.count - 1, Int(Double(list.count) * q))]) }
        print("tick jobs=\(count) ticks=\(samples.count) load_ms=\(String(format: "%.0f", milliseconds(load)))"
            + " tick_ms_p50=\(at(samples, 0.5)) p99=\(at(samples, 0.99)) max=\(at(samples, 1))"
            + " lock_wait_ms_p99.9=\(at(waited, 0.999)) max=\(at(waited, 1))"
            + (replicated ? " refreshed=\(refreshed.load(ordering: .relaxed))" : ""))
    }

    /// A cold reconcile of JOBS_DIR into the live state, then one file's
    /// schedule changed: the second reconcile and the swap of the live state,
    /// timed (what a reload of a changed schedule costs, without the watcher's
    /// debounce).
    static func reload(root: String, databasePath: String) async throws {
        let database = try await StateStore(path: databasePath)
        let reconciler = Reconciler(root: root, database: database)
        let state = LiveState()
        let first = try await reconciler.reconcile()
        state.replaceJobs(Array(first.jobs.values), now: Date())
        guard let entry = first.catalog.entries.values.first(where: { $0.job.schedule != nil }) else { return }
        let path = (root as NSString).appendingPathComponent(entry.path)
        var samples: [Double] = []
        var reconciles: [Double] = []
        for round in 0..<7 {
            var text = try String(contentsOfFile: path, encoding: .utf8)
            text = text.replacingOccurrences(of: #"schedule: "[^"]*""#, with: "schedule: \"\(round) 4 * * *\"", options: .regularExpression)
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            let start = ContinuousClock.now
            let report = try await reconciler.reconcile()
            reconciles.append(milliseconds(ContinuousClock.now - start))
            state.replaceJobs(Array(report.jobs.values), now: Date())
            samples.append(milliseconds(ContinuousClock.now - start))
        }
        samples.sort()
        reconciles.sort()
        print("reload jobs=\(first.catalog.count) changed_schedule_ms: \(samples.map { String(format: "%.0f", $0) }.joined(separator: " ")); median \(String(format: "%.0f", samples[3]))"
            + " (reconcile median \(String(format: "%.0f", reconciles[3])))")
    }

    static func milliseconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
    }
}

/// The bench's signals go straight into the live state, each with a state
/// version past any applied (as a store's would be).
extension LiveState {
    private static let versions = Atomic<Int64>(0)

    func record(_ results: [JobResult], now: Date) {
        apply(results.map { result in
            var result = result
            result.stateVersion = Self.versions.add(1, ordering: .relaxed).newValue
            return .result(result)
        }, now: now)
    }

    func started(_ runs: [(JobID, OpenRun)], now: Date) {
        apply(runs.map { .start($0.0, $0.1, version: Self.versions.add(1, ordering: .relaxed).newValue) }, now: now)
    }
}
