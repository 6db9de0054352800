import CronMetricsCore
import Foundation

/// Measures pieces of cronmetrics that have no command of their own. Used by
/// `scripts/bench-jobs.sh`; not shipped.
///
///     cronmetrics-bench reconcile JOBS_DIR DATABASE
@main
struct BenchMain {
    static func main() async throws {
        let arguments = CommandLine.arguments.dropFirst()
        guard arguments.first == "reconcile", arguments.count == 3 else {
            FileHandle.standardError.write(Data("usage: cronmetrics-bench reconcile JOBS_DIR DATABASE\n".utf8))
            exit(2)
        }
        let root = arguments[arguments.startIndex + 1]
        let databasePath = arguments[arguments.startIndex + 2]
        let clock = ContinuousClock()
        let start = clock.now
        let database = try AppDatabase(path: databasePath)
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
}
