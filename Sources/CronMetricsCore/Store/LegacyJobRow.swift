import Foundation
import GRDB

/// A `jobs` row as SQLite migrations v1 to v6 laid it out (one column per
/// field), for migration v7, which folds the columns into one definition.
/// Nothing else reads this layout. A value the old reader would have
/// defaulted is defaulted the same way here: every row is written again
/// from its file by the reconcile that follows any start, so the definition
/// only has to be readable until then.
enum LegacyJobRow {
    static func definition(_ row: Row) -> String {
        let thresholdText: String? = row["threshold_text"]
        let thresholdSeconds: Int = row["threshold_seconds"] ?? 0
        func duration(_ column: String) -> JobDuration? {
            (row[column] as String?).flatMap(JobDuration.init(parsing:))
        }
        let labels = (row["labels"] as String?).flatMap { try? JSONDecoder().decode([String: String].self, from: Data($0.utf8)) }
        let job = Job(
            jobName: row["job_name"] ?? "",
            host: row["host"] ?? "",
            threshold: thresholdText.flatMap(JobDuration.init(parsing:)) ?? (thresholdSeconds > 0 ? JobDuration(seconds: thresholdSeconds) : nil),
            schedule: (row["schedule"] as String?).flatMap { try? CronSchedule(parsing: $0) },
            timezone: row["timezone"],
            grace: duration("grace"),
            maxRuntime: duration("max_runtime"),
            status: (row["status"] as String?).flatMap(Lifecycle.init(rawValue:)) ?? .active,
            maintenanceUntil: (row["maintenance_until"] as Double?).map(Date.init(timeIntervalSince1970:)),
            labels: labels ?? [:],
            notify: (row["notify"] as String?).flatMap { try? JSONDecoder().decode([String].self, from: Data($0.utf8)) },
            apiKeySHA256: row["api_key_sha256"],
            description: row["description"])
        return job.definitionJSON
    }
}
