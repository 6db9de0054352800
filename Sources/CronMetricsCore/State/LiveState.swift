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
        /// Bumped at each evaluation; queue items of older versions are stale.
        var version: UInt32 = 0

        var snapshot: JobSnapshot { JobSnapshot(job: job, firstSeen: firstSeen, state: state, verdict: verdict) }
    }

    struct Storage: Sendable {
        /// ``LiveState/durationHistogramByDefault``, where the series are prepared.
        var durationHistogramByDefault = false
        /// Sorted by id, so the exposition is stable.
        var entries: [Entry] = []
        /// Job `i`'s prepared text is `series`' job `i` (empty when not
        /// exported), kept apart so a scrape copies blocks of text, never entries.
        var series = SeriesTable()
        var position: [JobID: Int] = [:]
        /// `MetricsShard.hash` of each entry's id, computed once per reload
        /// rather than per shard scrape.
        var shardHashes: [UInt64] = []
        var jobsByKeyHash: [String: [JobID]] = [:]
        /// When each verdict may next change by itself.
        var queue = ChangeQueue()
        /// Jobs whose deadline bookkeeping changed and is not yet in the database.
        var unpersisted: Set<JobID> = []
        /// Unsaved bookkeeping of jobs that left the catalog: still saved, so a
        /// job that comes back does not count its miss twice.
        var departed: [JobID: Bookkeeping] = [:]
        /// Runs timed out and not yet recorded as such in the database.
        var timeouts: [TimedOutRun] = []
        /// Jobs re-evaluated since the dashboard's feed last took them
        /// (a set insert per evaluation; bounded by the number of jobs).
        var changed: Set<JobID> = []
    }

    /// Whether a key may submit for a job.
    public enum Authorization: Sendable, Equatable {
        case allowed(Job)
        /// The key belongs to no job.
        case unknownKey
        /// The key is valid, but for another job.
        case otherJob
    }

    let storage: Mutex<Storage>
    /// `metrics.duration_histogram`: every job exports `cronjob_duration_seconds`
    /// unless its file says `metrics: {duration_histogram: false}`.
    public let durationHistogramByDefault: Bool

    public init(durationHistogramByDefault: Bool = false) {
        self.durationHistogramByDefault = durationHistogramByDefault
        storage = Mutex(Storage(durationHistogramByDefault: durationHistogramByDefault))
    }

    /// The SLOs of those of `ids` that are exported and have one now.
    public func objectives(_ ids: [JobID]) -> [JobID: ServiceLevelObjective] {
        storage.withLock { storage in
            var found: [JobID: ServiceLevelObjective] = [:]
            for id in ids {
                guard let index = storage.position[id], storage.entries[index].verdict != nil,
                      let slo = storage.entries[index].job.slo else { continue }
                found[id] = slo
            }
            return found
        }
    }

    /// Whether a job exports `cronjob_duration_seconds` (its file, else the setting).
    public func exportsDurations(_ id: JobID) -> Bool {
        storage.withLock { storage in storage.position[id].map { storage.entries[$0].job.exportsDurations(byDefault: durationHistogramByDefault) } }
            ?? false
    }

    /// Replaces the set of jobs (at start and after each reload), keeping the
    /// state of jobs that stay. A job that becomes active again counts its
    /// deadline from now. Jobs whose definition did not change keep their
    /// verdict and prepared series: a reload that touches one file of 100,000
    /// re-evaluates one job.
    ///
    /// - Parameters:
    ///   - jobs: the reconciled job table.
    ///   - loadedStates: state read from the database, for jobs not yet in memory.
    public func replaceJobs(_ jobs: [StoredJob], loadedStates: [JobID: JobState] = [:], now: Date) {
        storage.withLock { storage in
            var entries: [Entry] = []
            /// Where each job's series comes from: its old position, or none yet.
            var sources: [Int?] = []
            var changed: [Int] = []
            entries.reserveCapacity(jobs.count)
            sources.reserveCapacity(jobs.count)
            let staying = Set(jobs.map(\.job.id))
            for id in storage.unpersisted where !staying.contains(id) {
                if let index = storage.position[id] { storage.departed[id] = Self.bookkeeping(storage.entries[index]) }
            }
            for stored in jobs.sorted(by: { $0.job.id < $1.job.id }) {
                let id = stored.job.id
                guard let index = storage.position[id] else {
                    changed.append(entries.count)
                    entries.append(Entry(job: stored.job, firstSeen: stored.firstSeen, state: loadedStates[id] ?? JobState()))
                    sources.append(nil)
                    continue
                }
                var entry = storage.entries[index]
                if entry.job == stored.job, entry.firstSeen == stored.firstSeen {
                    entries.append(entry)
                    sources.append(index)
                    continue
                }
                if stored.job.status == .active, entry.job.status != .active {
                    entry.state.activatedAt = now
                    storage.unpersisted.insert(id)
                }
                entry.job = stored.job
                entry.firstSeen = stored.firstSeen
                changed.append(entries.count)
                entries.append(entry)
                sources.append(index)
            }
            storage.install(entries, seriesFrom: sources)
            for index in changed {
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

    /// Whom a key names, for ping URLs (which name no job).
    public enum KeyOwner: Sendable {
        case none
        case job(Job)
        /// Several jobs share the key: it names none of them.
        case shared(count: Int)
    }

    /// The job a key belongs to, when it is exactly one (ping URLs name no job).
    public func owner(ofKeyHash keyHash: String) -> KeyOwner {
        storage.withLock { storage in
            guard let ids = storage.jobsByKeyHash[keyHash], !ids.isEmpty else { return .none }
            guard ids.count == 1 else { return .shared(count: ids.count) }
            guard let index = storage.position[ids[0]] else { return .none }
            return .job(storage.entries[index].job)
        }
    }

    /// Whether the job has runs started and not finished (a result then closes one).
    public func hasOpenRuns(_ id: JobID) -> Bool {
        storage.withLock { storage in storage.position[id].map { !storage.entries[$0].state.openRuns.isEmpty } ?? false }
    }

    /// Folds signals this server stored into the state of their jobs, in
    /// the order they were stored. A signal whose state version the job's
    /// state has reached already (a snapshot read after it was committed
    /// came first) is in it and is skipped: nothing is counted twice.
    ///
    /// - Returns: jobs whose state skipped a version (another replica wrote
    ///   in between): re-read them (``applyStored(_:now:)``).
    @discardableResult
    public func apply(_ stored: [StoredSignal], now: Date) -> [JobID] {
        storage.withLock { storage in
            var behind: [JobID] = []
            for signal in stored {
                let (id, version): (JobID, Int64)
                switch signal {
                case let .start(jobID, _, stateVersion): (id, version) = (jobID, stateVersion)
                case let .result(result):
                    guard !result.isRepeat, let stateVersion = result.stateVersion else { continue }
                    (id, version) = (result.jobID, stateVersion)
                }
                guard let index = storage.position[id], version > storage.entries[index].state.version else { continue }
                if version > storage.entries[index].state.version + 1, behind.last != id { behind.append(id) }
                switch signal {
                case let .start(_, run, _): storage.entries[index].state.start(run)
                case let .result(result): storage.entries[index].state.record(result)
                }
                storage.entries[index].state.version = version
                Self.reevaluate(&storage, index: index, now: now)
            }
            return behind
        }
    }

    /// Replaces jobs' state with what the store holds, where it is at least
    /// as new as what this server applied (other replicas' writes, or a
    /// resync). Deadline bookkeeping counted here and not saved yet is kept
    /// where it is ahead of the store's.
    ///
    /// - Returns: how many jobs took the stored state.
    @discardableResult
    public func applyStored(_ states: [JobID: JobState], now: Date) -> Int {
        storage.withLock { storage in
            var applied = 0
            for (id, stored) in states {
                guard let index = storage.position[id] else { continue }
                let local = storage.entries[index].state
                guard stored.version >= local.version, stored != local else { continue }
                var state = stored
                if storage.unpersisted.contains(id) {
                    if local.missedDeadlinesTotal > state.missedDeadlinesTotal {
                        (state.missedDeadlinesTotal, state.missedAnchor) = (local.missedDeadlinesTotal, local.missedAnchor)
                    }
                    if let at = local.activatedAt, at > state.activatedAt ?? .distantPast { state.activatedAt = at }
                    if Self.bookkeeping(id, state) == Self.bookkeeping(id, stored) { storage.unpersisted.remove(id) }
                }
                storage.entries[index].state = state
                Self.reevaluate(&storage, index: index, now: now)
                applied += 1
            }
            return applied
        }
    }

    /// One job's definition, state and verdict as of `now`, or nil if it is not in the catalog.
    /// The jobs of `job`'s `depends_on` that are failing at `now` (failure,
    /// missed deadline, timeout): its down notifications are held.
    public func blockedBy(_ job: Job, now: Date) -> [JobID] {
        guard !job.dependsOn.isEmpty else { return [] }
        return job.dependsOn.filter { id in
            guard let status = self.job(id, now: now)?.verdict?.status else { return false }
            return status == .failure || status == .missedDeadline || status == .timeout
        }.sorted()
    }

    public func job(_ id: JobID, now: Date) -> (job: Job, firstSeen: Date, state: JobState, verdict: Verdict?)? {
        storage.withLock { storage in
            Self.refresh(&storage, now: now)
            guard let index = storage.position[id] else { return nil }
            let entry = storage.entries[index]
            return (entry.job, entry.firstSeen, entry.state, entry.verdict)
        }
    }

    /// Every job's definition, state and verdict as of `now`, by id: one
    /// lock for the whole list (the dashboard's overview reads it).
    public func snapshot(now: Date) -> [JobSnapshot] {
        storage.withLock { storage in
            Self.refresh(&storage, now: now)
            return storage.entries.map(\.snapshot)
        }
    }

    /// Calls `body` with every job's definition, state and verdict as of
    /// `now`, under the lock and without copying the list (counts per state
    /// for the dashboard's live feed: keep `body` short).
    public func forEach(now: Date, _ body: (Job, JobState, Verdict?) -> Void) {
        storage.withLock { storage in
            Self.refresh(&storage, now: now)
            for entry in storage.entries { body(entry.job, entry.state, entry.verdict) }
        }
    }

    /// The jobs re-evaluated (a result, a start, a deadline, a reload) since
    /// the last call, and still in the catalog; the set starts empty again.
    public func takeChanged(now: Date) -> [JobSnapshot] {
        storage.withLock { storage in
            Self.refresh(&storage, now: now)
            let ids = storage.changed
            storage.changed = []
            return ids.sorted().compactMap { id in storage.position[id].map { storage.entries[$0].snapshot } }
        }
    }

    /// How many jobs are in the catalog (retired ones included).
    public var count: Int {
        storage.withLock { $0.entries.count }
    }
}

extension LiveState.Storage {
    /// Takes a new list of entries, each with the old position of its series
    /// (nil: none yet), and rebuilds what is indexed by position: lookups,
    /// series, the change queue.
    mutating func install(_ newEntries: [LiveState.Entry], seriesFrom sources: [Int?]) {
        let sameLayout = sources.count == series.count && sources.enumerated().allSatisfy { $0.element == $0.offset }
        if !sameLayout {
            // Jobs came or went: the blocks are laid out again from the old ones.
            series.refresh()
            let old = series
            series = SeriesTable(count: sources.count) { index in sources[index].map { old.series($0) } ?? JobSeries() }
        }
        entries = newEntries
        position = [:]
        jobsByKeyHash = [:]
        position.reserveCapacity(entries.count)
        shardHashes = entries.map { MetricsShard.hash($0.job.id) }
        var items: [ChangeQueue.Item] = []
        for (index, entry) in entries.enumerated() {
            position[entry.job.id] = index
            if let hash = entry.job.apiKeySHA256 { jobsByKeyHash[hash, default: []].append(entry.job.id) }
            if let change = entry.verdict?.nextChange {
                items.append(.init(time: change.timeIntervalSince1970, index: Int32(index), version: entry.version))
            }
        }
        queue = ChangeQueue(items)
        unpersisted = unpersisted.filter { position[$0] != nil }
    }
}
