import Foundation
import GRDB

/// A row of the `jobs` table: the reconciled definition of one job. Its
/// columns are named here and nowhere else.
struct JobRow: FetchableRecord, TableRecord {
    static let databaseTableName = "jobs"

    enum Columns: String, ColumnExpression, CaseIterable {
        case id, jobName = "job_name", host, path
        case thresholdSeconds = "threshold_seconds", thresholdText = "threshold_text"
        case schedule, timezone, grace, maxRuntime = "max_runtime"
        case status, maintenanceUntil = "maintenance_until", labels, notify
        case apiKeySHA256 = "api_key_sha256", description
        case contentHash = "content_hash", firstSeen = "first_seen", updatedAt = "updated_at"
    }

    var stored: StoredJob

    init(row: Row) throws {
        let thresholdText: String? = row[Columns.thresholdText]
        let thresholdSeconds: Int = row[Columns.thresholdSeconds]
        let labelsJSON: String = row[Columns.labels]
        func duration(_ column: Columns) -> JobDuration? {
            (row[column] as String?).flatMap(JobDuration.init(parsing:))
        }
        let statusText: String = row[Columns.status]
        let job = Job(
            jobName: row[Columns.jobName],
            host: row[Columns.host],
            threshold: thresholdText.flatMap(JobDuration.init(parsing:)) ?? (thresholdSeconds > 0 ? JobDuration(seconds: thresholdSeconds) : nil),
            schedule: (row[Columns.schedule] as String?).flatMap { try? CronSchedule(parsing: $0) },
            timezone: row[Columns.timezone],
            grace: duration(.grace),
            maxRuntime: duration(.maxRuntime),
            status: Lifecycle(rawValue: statusText) ?? .active,
            maintenanceUntil: (row[Columns.maintenanceUntil] as Double?).map(Date.init(timeIntervalSince1970:)),
            labels: (try? JSONDecoder().decode([String: String].self, from: Data(labelsJSON.utf8))) ?? [:],
            notify: (row[Columns.notify] as String?).flatMap { try? JSONDecoder().decode([String].self, from: Data($0.utf8)) },
            apiKeySHA256: row[Columns.apiKeySHA256],
            description: row[Columns.description])
        stored = StoredJob(job: job, path: row[Columns.path], contentHash: row[Columns.contentHash],
                           firstSeen: Date(timeIntervalSince1970: row[Columns.firstSeen]))
    }

    /// Inserts or updates one job, keeping its `first_seen`. Written as SQL from
    /// ``Columns`` and run as a cached statement: a cold reconcile of a large
    /// tree runs it once per job.
    static let upsertSQL: String = {
        let names = Columns.allCases.map(\.rawValue)
        let updated = Columns.allCases.filter { ![.id, .jobName, .host, .firstSeen].contains($0) }
            .map { "\($0.rawValue) = excluded.\($0.rawValue)" }
        return "INSERT INTO jobs (\(names.joined(separator: ", "))) VALUES (\(names.map { _ in "?" }.joined(separator: ", ")))"
            + " ON CONFLICT(id) DO UPDATE SET \(updated.joined(separator: ", "))"
    }()

    /// The values of ``upsertSQL``, in ``Columns`` order.
    static func arguments(_ entry: CatalogEntry, firstSeen: Double, updatedAt: Double) throws -> StatementArguments {
        let job = entry.job
        let values: [Columns: (any DatabaseValueConvertible)?] = [
            .id: job.id.description, .jobName: job.jobName, .host: job.host, .path: entry.path,
            .thresholdSeconds: job.threshold?.seconds ?? 0, .thresholdText: job.threshold?.text, .status: job.status.rawValue,
            .schedule: job.schedule?.text, .timezone: job.timezone,
            .grace: job.grace.map { $0.text ?? String($0.seconds) }, .maxRuntime: job.maxRuntime.map { $0.text ?? String($0.seconds) },
            .maintenanceUntil: job.maintenanceUntil?.timeIntervalSince1970, .labels: try AppDatabase.json(job.labels),
            .notify: try job.notify.map { try AppDatabase.json($0) },
            .apiKeySHA256: job.apiKeySHA256, .description: job.description, .contentHash: entry.contentHash,
            .firstSeen: firstSeen, .updatedAt: updatedAt,
        ]
        return StatementArguments(Columns.allCases.map { values[$0] ?? nil })
    }
}
