import CronMetricsCore
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// What is counted from the rollups once per interval (a minute by
/// default), so a scrape or a page reads it and never waits on the store:
/// the SLO families of `/metrics` for every exported job whose file has an
/// `slo`, and every job's runs over the last 7 days for the dashboard.
final class ObjectiveTracker: Sendable {
    struct Counted: Sendable {
        /// The number of the count: of two that overlap, the one begun later wins whichever ends last.
        var count: UInt64 = 0
        var entries: [ObjectiveMetrics.Entry] = []
        var week: [JobID: RunCounts] = [:]
    }

    private let counted = Mutex(Counted())
    private let counts = Atomic<UInt64>(0)
    /// What it counts from: the jobs, the store, the clock; and whether the
    /// dashboard (the 7-day column) is served: without it that count is not made.
    let state: LiveState, database: StateStore, now: @Sendable () -> Date
    let countsWeek: Bool

    init(state: LiveState, database: StateStore, now: @escaping @Sendable () -> Date, countsWeek: Bool = true) {
        (self.state, self.database, self.now, self.countsWeek) = (state, database, now, countsWeek)
    }

    /// The families as of the last count, for the jobs that have an SLO in
    /// the live state now (a job removed, or its SLO, leaves at once; a
    /// changed target shows at once, a changed window's figures with the next count).
    func rendered(including: (JobID) -> Bool = { _ in true }) -> [UInt8] {
        let entries = counted.withLock { $0.entries }.filter { including($0.id) }
        guard !entries.isEmpty else { return [] }
        let current = state.objectives(entries.map(\.id))
        return ObjectiveMetrics.render(entries.compactMap { entry in
            guard let objective = current[entry.id] else { return nil }
            let sameWindow = objective.windowText == entry.objective.windowText
            return .init(id: entry.id, objective: objective, counts: sameWindow ? entry.counts : RunCounts())
        })
    }

    /// Publishes a count unless a count begun later has been published already.
    func publish(_ next: Counted) {
        counted.withLock { if $0.count < next.count { $0 = next } }
    }

    /// Each job's runs over the last 7 days, as of the last count (jobs without runs are absent).
    var week: [JobID: RunCounts] { counted.withLock { $0.week } }

    /// Counts every SLO job's runs over its window, and every job's last 7 days.
    func refresh() async throws(StoreError) {
        let now = now()
        let count = counts.add(1, ordering: .relaxed).newValue
        var objectives: [JobID: ServiceLevelObjective] = [:]
        state.forEach(now: now) { job, _, verdict in
            if let slo = job.slo, verdict != nil { objectives[job.id] = slo }
        }
        var entries: [ObjectiveMetrics.Entry] = []
        for (window, ids) in Dictionary(grouping: objectives.keys, by: { objectives[$0]?.windowText ?? "" }) {
            guard let span = try? StatsWindow(named: window, now: now) else { continue }
            let counts = try await database.runCounts(ids, window: span)
            for id in ids {
                guard let objective = objectives[id] else { continue }
                entries.append(.init(id: id, objective: objective, counts: counts[id] ?? RunCounts()))
            }
        }
        let week = countsWeek ? try await database.runCounts(nil, window: StatsWindow(from: now.addingTimeInterval(-7 * 86_400), to: now)) : [:]
        publish(Counted(count: count, entries: entries, week: week))
    }
}

/// Runs ``ObjectiveTracker/refresh()`` at start and then each interval; a
/// failed count keeps the last figures and is logged.
struct ObjectiveService: NamedService {
    let tracker: ObjectiveTracker
    let interval: Duration
    let logger: Logger

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await tracker.refresh()
                } catch {
                    logger.warning("SLO figures not counted; the last ones stay", metadata: ["error": .string("\(error)")])
                }
                try await Task.sleep(for: interval)
            }
        }
    }
}
