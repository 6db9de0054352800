import Foundation

extension LiveState {
    /// Re-evaluates verdicts whose time has come, and hands over what the
    /// database does not hold yet (missed deadlines, timed-out runs). It stays
    /// pending until ``saved(_:)`` confirms it, so a failed save is retried.
    public func tick(now: Date) -> PendingChanges {
        // Due jobs are re-evaluated in slices with the lock released between
        // them, so a burst (every `*/5` job's deadline in the same second) holds
        // submissions and scrapes for one slice at most.
        while storage.withLock({ Self.refresh(&$0, now: now, limit: Self.refreshSlice) }) {}
        return storage.withLock { storage in
            var bookkeeping = storage.unpersisted.sorted().compactMap { id -> Bookkeeping? in
                guard let index = storage.position[id] else { return nil }
                return Self.bookkeeping(storage.entries[index])
            }
            bookkeeping += storage.departed.keys.sorted().compactMap { storage.departed[$0] }
            return PendingChanges(bookkeeping: bookkeeping, timeouts: storage.timeouts)
        }
    }

    /// Marks changes as in the database; what changed again since they were
    /// handed out stays pending. A job whose state was at the version the
    /// save started from takes the version it left; one that was not (another
    /// write came between) is returned, to be re-read.
    @discardableResult
    public func saved(_ changes: PendingChanges, versions: [JobID: StateVersions] = [:]) -> [JobID] {
        storage.withLock { storage in
            var behind: [JobID] = []
            for (id, version) in versions.sorted(by: { $0.key < $1.key }) {
                guard let index = storage.position[id] else { continue }
                if storage.entries[index].state.version == version.before {
                    storage.entries[index].state.version = version.after
                } else if storage.entries[index].state.version < version.after {
                    behind.append(id)
                }
            }
            for item in changes.bookkeeping {
                if storage.departed[item.jobID] == item {
                    storage.departed[item.jobID] = nil
                }
                if let index = storage.position[item.jobID], Self.bookkeeping(storage.entries[index]) == item {
                    storage.unpersisted.remove(item.jobID)
                }
            }
            let done = Set(changes.timeouts.map(\.runID))
            storage.timeouts.removeAll { done.contains($0.runID) }
            return behind
        }
    }

    static func bookkeeping(_ entry: Entry) -> Bookkeeping {
        var item = bookkeeping(entry.job.id, entry.state)
        if item.missedAnchor != nil, entry.verdict?.status == .missedDeadline { item.missedAt = entry.verdict?.deadline }
        return item
    }

    static func bookkeeping(_ id: JobID, _ state: JobState) -> Bookkeeping {
        Bookkeeping(jobID: id, missedDeadlinesTotal: state.missedDeadlinesTotal, missedAnchor: state.missedAnchor,
                    activatedAt: state.activatedAt, version: state.version)
    }

    /// How many due jobs one slice of a tick re-evaluates (about 5 ms of work).
    static let refreshSlice = 1_000

    /// Re-evaluates the jobs whose change time has passed: a pop from the
    /// queue each, not a look at every job.
    ///
    /// - Returns: whether it stopped at `limit` with jobs still due.
    @discardableResult
    static func refresh(_ storage: inout Storage, now: Date, limit: Int = .max) -> Bool {
        let time = now.timeIntervalSince1970
        var done = 0
        while done < limit, let item = storage.queue.popDue(by: time) {
            let index = Int(item.index)
            guard index < storage.entries.count, storage.entries[index].version == item.version else { continue }
            reevaluate(&storage, index: index, now: now)
            done += 1
        }
        return done == limit && storage.queue.earliest.map { $0 < time } == true
    }

    /// Times out runs open too long, evaluates the verdict, counts a missed
    /// deadline once per silence, prepares the job's series and queues its
    /// next change.
    static func reevaluate(_ storage: inout Storage, index: Int, now: Date) {
        var entry = storage.entries[index]
        if let limit = entry.job.maxRuntime, entry.job.status == .active || entry.job.maintenanceUntil.map({ $0 <= now }) == true {
            // A limit inside a maintenance window counts at the window's end.
            let job = entry.job
            for (run, at) in entry.state.timeOut(maxRuntime: limit.seconds, now: now, postponed: { job.maintenanceWindow(at: $0)?.end ?? $0 })
            where !storage.timeouts.contains(where: { $0.runID == run.id }) {
                storage.timeouts.append(TimedOutRun(jobID: entry.job.id, runID: run.id, at: at))
            }
        }
        let verdict = Verdict.evaluate(job: entry.job, firstSeen: entry.firstSeen, state: entry.state, now: now)
        if let verdict, verdict.status == .missedDeadline, let anchor = verdict.anchor, entry.state.missedAnchor != anchor {
            entry.state.missedDeadlinesTotal += 1
            entry.state.missedAnchor = anchor
            storage.unpersisted.insert(entry.job.id)
        }
        entry.verdict = verdict
        entry.version &+= 1
        storage.changed.insert(entry.job.id)
        let durations = entry.job.exportsDurations(byDefault: storage.durationHistogramByDefault)
        storage.series.set(index, verdict.map { JobSeries(job: entry.job, state: entry.state, verdict: $0, durations: durations) } ?? JobSeries())
        storage.entries[index] = entry
        if let change = verdict?.nextChange {
            storage.queue.push(.init(time: change.timeIntervalSince1970, index: Int32(index), version: entry.version))
        }
    }
}
