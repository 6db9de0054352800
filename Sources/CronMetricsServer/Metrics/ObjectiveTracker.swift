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
        var text: [UInt8] = []
        var week: [JobID: RunCounts] = [:]
    }

    private let counted = Mutex(Counted())
    private let counts = Atomic<UInt64>(0)

    /// The families as of the last count (empty without SLOs).
    var rendered: [UInt8] { counted.withLock { $0.text } }

    /// Each job's runs over the last 7 days, as of the last count (jobs without runs are absent).
    var week: [JobID: RunCounts] { counted.withLock { $0.week } }

    /// Counts every SLO job's runs over its window and prepares the families.
    func refresh(state: LiveState, database: StateStore, now: Date) async throws(StoreError) {
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
        let families = ObjectiveMetrics.render(entries)
        let week = try await database.runCounts(nil, window: StatsWindow(from: now.addingTimeInterval(-7 * 86_400), to: now))
        counted.withLock { if $0.count < count { $0 = Counted(count: count, text: families, week: week) } }
    }
}

/// Runs ``ObjectiveTracker/refresh(state:database:now:)`` at start and then
/// each interval; a failed count keeps the last figures and is logged.
struct ObjectiveService: NamedService {
    let tracker: ObjectiveTracker
    let state: LiveState
    let database: StateStore
    let interval: Duration
    let now: @Sendable () -> Date
    let logger: Logger

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await tracker.refresh(state: state, database: database, now: now())
                } catch {
                    logger.warning("SLO figures not counted; the last ones stay", metadata: ["error": .string("\(error)")])
                }
                try await Task.sleep(for: interval)
            }
        }
    }
}
