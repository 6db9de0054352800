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
    /// handed out stays pending.
    public func saved(_ changes: PendingChanges) {
        storage.withLock { storage in
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
        }
    }

    static func bookkeeping(_ entry: Entry) -> Bookkeeping {
        Bookkeeping(jobID: entry.job.id, missedDeadlinesTotal: entry.state.missedDeadlinesTotal,
                    missedAnchor: entry.state.missedAnchor, activatedAt: entry.state.activatedAt)
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
            for (run, at) in entry.state.timeOut(maxRuntime: limit.seconds, now: now) {
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
        storage.series[index] = verdict.map { JobSeries(job: entry.job, state: entry.state, verdict: $0) } ?? JobSeries()
        storage.blocks[index / SeriesBlock.size].isDirty = true
        storage.entries[index] = entry
        if let change = verdict?.nextChange {
            storage.queue.push(.init(time: change.timeIntervalSince1970, index: Int32(index), version: entry.version))
        }
    }
}
