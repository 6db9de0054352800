import Foundation
import Synchronization

/// The server's in-memory picture of every job: definition, state, verdict and
/// prepared series text. `/metrics` reads only this, never SQL.
///
/// A `Mutex` rather than an actor: scrapes and key lookups are short and
/// synchronous, and must not queue behind each other's suspension points.
public final class LiveState: Sendable {
    struct Entry: Sendable {
        var job: Job
        var firstSeen: Date
        var state: JobState
        var verdict: Verdict?
    }

    struct Storage: Sendable {
        /// Sorted by id, so the exposition is stable.
        var entries: [Entry] = []
        /// `series[i]` is `entries[i]`'s prepared text (empty when not exported).
        /// Kept apart so a scrape walks 16-byte values, not whole entries: copying
        /// entries out of the array was half the time of a scrape.
        var series: [JobSeries] = []
        /// `series` grouped into blocks of ``SeriesBlock/size``, rebuilt when dirty.
        var blocks: [SeriesBlock] = []
        var position: [JobID: Int] = [:]
        var jobsByKeyHash: [String: [JobID]] = [:]
        /// Jobs whose deadline bookkeeping changed and is not yet in the database.
        var unpersisted: Set<JobID> = []
        /// Unsaved bookkeeping of jobs that left the catalog: still saved, so a
        /// job that comes back does not count its miss twice.
        var departed: [JobID: Bookkeeping] = [:]
        /// The earliest `nextChange` of any verdict: nothing needs re-evaluating before it.
        var nextChange: Date = .distantFuture
    }

    /// What the deadline bookkeeping of one job is, for the `job_state` table.
    public struct Bookkeeping: Sendable, Hashable {
        public var jobID: JobID
        public var missedDeadlinesTotal: Int
        public var missedAnchor: Date?
        public var activatedAt: Date?
    }

    /// Whether a key may submit for a job.
    public enum Authorization: Sendable, Equatable {
        case allowed(Job)
        /// The key belongs to no job.
        case unknownKey
        /// The key is valid, but for another job.
        case otherJob
    }

    private let storage = Mutex(Storage())

    public init() {}

    /// Replaces the set of jobs (at start and after each reload), keeping the
    /// state of jobs that stay. A job that becomes active again counts its
    /// deadline from now.
    ///
    /// - Parameters:
    ///   - jobs: the reconciled job table.
    ///   - loadedStates: state read from the database, for jobs not yet in memory.
    public func replaceJobs(_ jobs: [StoredJob], loadedStates: [JobID: JobState] = [:], now: Date) {
        storage.withLock { storage in
            var entries: [Entry] = []
            entries.reserveCapacity(jobs.count)
            var unpersisted = storage.unpersisted
            let staying = Set(jobs.map(\.job.id))
            for id in unpersisted where !staying.contains(id) {
                if let index = storage.position[id] {
                    storage.departed[id] = Self.bookkeeping(storage.entries[index])
                }
            }
            for stored in jobs.sorted(by: { $0.job.id < $1.job.id }) {
                let id = stored.job.id
                var state = loadedStates[id] ?? JobState()
                if let index = storage.position[id] {
                    let old = storage.entries[index]
                    state = old.state
                    if stored.job.status == .active, old.job.status != .active {
                        state.activatedAt = now
                        unpersisted.insert(id)
                    }
                }
                entries.append(Entry(job: stored.job, firstSeen: stored.firstSeen, state: state, verdict: nil))
            }
            var position: [JobID: Int] = [:]
            var byKey: [String: [JobID]] = [:]
            position.reserveCapacity(entries.count)
            for (index, entry) in entries.enumerated() {
                position[entry.job.id] = index
                if let hash = entry.job.apiKeySHA256 {
                    byKey[hash, default: []].append(entry.job.id)
                }
            }
            storage.series = Array(repeating: JobSeries(), count: entries.count)
            storage.blocks = Array(repeating: SeriesBlock(), count: (entries.count + SeriesBlock.size - 1) / SeriesBlock.size)
            storage.entries = entries
            storage.position = position
            storage.jobsByKeyHash = byKey
            storage.unpersisted = unpersisted.filter { position[$0] != nil }
            storage.nextChange = .distantFuture
            // Through the same path as every later change, so a job already past
            // its deadline (say, after downtime) has its miss counted.
            for index in storage.entries.indices {
                Self.reevaluate(&storage, index: index, now: now)
            }
        }
    }

    /// Whether any job has this key hash (a dictionary lookup).
    public func knows(keyHash: String) -> Bool {
        storage.withLock { $0.jobsByKeyHash[keyHash] != nil }
    }

    /// Looks a key up by its hash (a dictionary lookup, never a scan or a
    /// comparison of key bytes) and checks it belongs to `id`.
    public func authorize(keyHash: String, for id: JobID) -> Authorization {
        storage.withLock { storage in
            guard let ids = storage.jobsByKeyHash[keyHash] else { return .unknownKey }
            guard ids.contains(id), let index = storage.position[id] else { return .otherJob }
            return .allowed(storage.entries[index].job)
        }
    }

    /// Folds stored results into the state of their jobs.
    public func record(_ results: [JobResult], now: Date) {
        storage.withLock { storage in
            for result in results {
                guard let index = storage.position[result.jobID] else { continue }
                storage.entries[index].state.record(result)
                Self.reevaluate(&storage, index: index, now: now)
            }
        }
    }

    /// Re-evaluates verdicts whose time has come, and hands over the deadline
    /// bookkeeping not yet in the database. It stays pending until ``saved(_:)``
    /// confirms it, so a failed save is retried on the next tick.
    public func tick(now: Date) -> [Bookkeeping] {
        storage.withLock { storage in
            Self.refresh(&storage, now: now)
            var changed = storage.unpersisted.sorted().compactMap { id -> Bookkeeping? in
                guard let index = storage.position[id] else { return nil }
                return Self.bookkeeping(storage.entries[index])
            }
            changed += storage.departed.keys.sorted().compactMap { storage.departed[$0] }
            return changed
        }
    }

    /// Marks bookkeeping as in the database; what changed again since it was
    /// handed out stays pending.
    public func saved(_ items: [Bookkeeping]) {
        storage.withLock { storage in
            for item in items {
                if storage.departed[item.jobID] == item {
                    storage.departed[item.jobID] = nil
                }
                if let index = storage.position[item.jobID], Self.bookkeeping(storage.entries[index]) == item {
                    storage.unpersisted.remove(item.jobID)
                }
            }
        }
    }

    private static func bookkeeping(_ entry: Entry) -> Bookkeeping {
        Bookkeeping(jobID: entry.job.id, missedDeadlinesTotal: entry.state.missedDeadlinesTotal,
                    missedAnchor: entry.state.missedAnchor, activatedAt: entry.state.activatedAt)
    }

    /// The ids of the jobs in the catalog.
    public func ids() -> Set<JobID> {
        storage.withLock { Set($0.position.keys) }
    }

    /// The per-job part of `/metrics`, current as of `now`.
    public func renderJobMetrics(now: Date, into out: inout some MetricsSink) {
        storage.withLock { storage in
            Self.refresh(&storage, now: now)
            for index in storage.blocks.indices where storage.blocks[index].isDirty {
                let start = index * SeriesBlock.size
                let end = min(start + SeriesBlock.size, storage.series.count)
                storage.blocks[index].rebuild(from: storage.series[start..<end])
            }
            var header: [UInt8] = []
            for family in JobFamily.allCases {
                header.removeAll(keepingCapacity: true)
                PrometheusText.appendHeader(name: family.name, help: family.help, type: family.type, to: &header)
                out.append(header)
                for block in storage.blocks {
                    block.append(family, to: &out)
                }
            }
            let exported = storage.entries.reduce(0) { $0 + ($1.verdict == nil ? 0 : 1) }
            var tail: [UInt8] = []
            PrometheusText.appendHeader(name: "cronjob_total", help: "Jobs exported (every job that is not retired).", type: "gauge", to: &tail)
            tail += Array("cronjob_total ".utf8)
            PrometheusText.appendInteger(Int64(exported), to: &tail)
            tail.append(UInt8(ascii: "\n"))
            out.append(tail)
        }
    }

    /// One job's definition, state and verdict as of `now`, or nil if it is not in the catalog.
    public func job(_ id: JobID, now: Date) -> (job: Job, firstSeen: Date, state: JobState, verdict: Verdict?)? {
        storage.withLock { storage in
            Self.refresh(&storage, now: now)
            guard let index = storage.position[id] else { return nil }
            let entry = storage.entries[index]
            return (entry.job, entry.firstSeen, entry.state, entry.verdict)
        }
    }

    /// How many jobs are in the catalog (retired ones included).
    public var count: Int {
        storage.withLock { $0.entries.count }
    }

    private static func refresh(_ storage: inout Storage, now: Date) {
        guard now > storage.nextChange else { return }
        for index in storage.entries.indices {
            if let change = storage.entries[index].verdict?.nextChange, now > change {
                reevaluate(&storage, index: index, now: now)
            }
        }
        storage.nextChange = earliestChange(storage.entries)
    }

    private static func reevaluate(_ storage: inout Storage, index: Int, now: Date) {
        var entry = storage.entries[index]
        let verdict = Verdict.evaluate(job: entry.job, firstSeen: entry.firstSeen, state: entry.state, now: now)
        if let verdict, verdict.status == .missedDeadline, let anchor = verdict.anchor, entry.state.missedAnchor != anchor {
            entry.state.missedDeadlinesTotal += 1
            entry.state.missedAnchor = anchor
            storage.unpersisted.insert(entry.job.id)
        }
        entry.verdict = verdict
        storage.series[index] = verdict.map { JobSeries(job: entry.job, state: entry.state, verdict: $0) } ?? JobSeries()
        storage.blocks[index / SeriesBlock.size].isDirty = true
        storage.entries[index] = entry
        if let change = verdict?.nextChange, change < storage.nextChange {
            storage.nextChange = change
        }
    }

    private static func earliestChange(_ entries: [Entry]) -> Date {
        var earliest = Date.distantFuture
        for entry in entries {
            if let change = entry.verdict?.nextChange, change < earliest { earliest = change }
        }
        return earliest
    }
}
