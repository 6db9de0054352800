import CronMetricsCore
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// The SLO families of `/metrics`, counted from the rollups once per
/// interval (a minute by default) for every exported job whose file has an
/// `slo`, so a scrape copies prepared text and never waits on the store.
final class ObjectiveTracker: Sendable {
    /// The families, and the number of the count they come from: of two
    /// counts that overlap, the one begun later wins whichever ends last.
    private let text = Mutex<(count: UInt64, text: [UInt8])>((0, []))
    private let counts = Atomic<UInt64>(0)

    /// The families as of the last count (empty without SLOs).
    var rendered: [UInt8] { text.withLock { $0.text } }

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
        text.withLock { if $0.count < count { $0 = (count, families) } }
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
