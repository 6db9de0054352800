import Foundation
import GRDB

/// Reads the Go cron-exporter's SQLite database (its migrations 001–004:
/// `jobs` with name, host, api_key, automatic_failure_threshold, labels JSON,
/// status; `job_results`) and plans one job file per row, keeping each job's
/// key as `api_key_sha256` of the stored key, so that every cron host keeps
/// working unchanged. Nothing is dropped silently: a value that cannot be
/// carried over refuses the row, or is changed with a note, and both say what
/// to do.
public enum CronExporterImport {
    /// One row of the original's `jobs` table.
    public struct Row: Sendable, Hashable {
        public var rowID: Int64
        public var name: String
        public var host: String
        public var apiKey: String?
        public var threshold: Int64
        public var labels: String
        public var status: String
        /// Values of the wrong type in the old database (SQLite keeps what it
        /// is given): the row is refused with these.
        public var unreadable: [String]
        /// Values of the wrong type that the import does without (labels,
        /// status), each said.
        public var readNotes: [String] = []

        public init(rowID: Int64, name: String, host: String, apiKey: String?, threshold: Int64, labels: String, status: String,
                    unreadable: [String] = []) {
            self.rowID = rowID
            self.name = name
            self.host = host
            self.apiKey = apiKey
            self.threshold = threshold
            self.labels = labels
            self.status = status
            self.unreadable = unreadable
        }

        /// A row as stored, read value by value: a value of the wrong type is
        /// a problem of the row, never a trap.
        init(_ row: GRDB.Row) {
            var problems: [String] = []
            var notes: [String] = []
            /// - Parameter instead: what the import does without the value;
            ///   nil: the row cannot be imported.
            func text(_ column: String, default fallback: String, instead: String? = nil) -> String {
                let value: DatabaseValue = row[column]
                switch value.storage {
                case let .string(text): return text
                case .null: return fallback
                default:
                    let what = "jobs.\(column) is \(Self.kind(value)) (\(Self.shown(value))), not text"
                    if let instead {
                        notes.append("\(what): \(instead)")
                    } else {
                        problems.append("\(what): fix the row in the old database, or add the job with `cronmetrics job add`")
                    }
                    return fallback
                }
            }
            rowID = Int64.fromDatabaseValue(row["row_id"]) ?? 0
            name = text("name", default: "")
            host = text("host", default: "")
            let key = text("api_key", default: "")
            apiKey = key.isEmpty ? nil : key
            labels = text("labels", default: "{}", instead: "no labels imported; add them by hand")
            status = text("status", default: "active", instead: "imported as active")
            let rawThreshold: DatabaseValue = row["automatic_failure_threshold"]
            switch rawThreshold.storage {
            case let .int64(value): threshold = value
            case let .double(value) where value.rounded() == value && abs(value) < 1e15: threshold = Int64(value)
            case let .string(text) where Int64(text.trimmingCharacters(in: .whitespaces)) != nil:
                threshold = Int64(text.trimmingCharacters(in: .whitespaces)) ?? 0
            case .null: threshold = 3600
            default:
                threshold = 0
                problems.append("jobs.automatic_failure_threshold is \(Self.kind(rawThreshold)) (\(Self.shown(rawThreshold))), not a whole number of seconds: set a threshold in the old tool, or add the job with `cronmetrics job add`")
            }
            unreadable = problems
            readNotes = notes
        }

        static func kind(_ value: DatabaseValue) -> String {
            switch value.storage {
            case .null: "NULL"
            case .int64: "a number"
            case .double: "a number"
            case .string: "text"
            case .blob: "a blob"
            }
        }

        static func shown(_ value: DatabaseValue) -> String {
            switch value.storage {
            case let .blob(data): "\(data.count) bytes"
            case let .string(text): quoted(String(text.prefix(40)))
            default: "\(value)"
            }
        }

        /// How the report names the row.
        public var described: String { "row \(rowID) (\(Self.quoted(name))@\(Self.quoted(host)))" }

        static func quoted(_ text: String) -> String {
            text.isEmpty || text.contains(where: { !$0.isLetter && !$0.isNumber && !"_.-".contains($0) })
                ? "\"\(text.unicodeScalars.map { $0.isASCII && $0.value >= 32 ? String($0) : "\\u{\(String($0.value, radix: 16))}" }.joined())\""
                : text
        }
    }

    /// One of the original's results.
    public struct HistoryRow: Sendable, Hashable {
        public var jobID: JobID
        public var status: String
        public var duration: Double?
        public var output: String?
        public var at: Date
    }

    /// What happens to a row.
    public enum Action: Sendable, Hashable {
        /// A new job file.
        case create(Job)
        /// A file for the job exists and says the same: nothing to do (a second run).
        case unchanged(JobID, path: String)
        /// A file for the job exists and differs, or another row claims the
        /// same id: left as it is, with what differs.
        case conflict(JobID, path: String?, reason: String)
        /// The row cannot become a job file; with what to do.
        case refused([String])
    }

    public struct PlanItem: Sendable, Hashable {
        public var row: Row
        public var action: Action
        /// Values carried over differently, each with what to do (if anything).
        public var notes: [String]
    }

    // MARK: Reading the original's database

    /// The original's jobs, oldest first.
    /// - Throws: ``StoreError`` when the file is not a cron-exporter database.
    public static func readJobs(databasePath path: String) throws(StoreError) -> [Row] {
        try read(path) { db in
            let columns = Set(try db.columns(in: "jobs").map(\.name))
            for needed in ["name", "host", "automatic_failure_threshold", "labels", "status"] where !columns.contains(needed) {
                throw StoreError.query("\(path) has no jobs.\(needed) column: not a cron-exporter database")
            }
            let key = columns.contains("api_key") ? "api_key" : "NULL"
            let id = columns.contains("id") ? "id" : "rowid"
            return try GRDB.Row.fetchAll(db, sql: """
                SELECT \(id) AS row_id, name, host, \(key) AS api_key, automatic_failure_threshold, labels, status FROM jobs ORDER BY \(id)
                """).map(Row.init)
        }
    }

    /// The original's results for `jobs` (by name and host), oldest first;
    /// rows whose job, status or time cannot be read are counted, not
    /// returned; a duration or output of the wrong type is left out.
    public static func readHistory(databasePath path: String, jobs: Set<JobID>) throws(StoreError) -> (rows: [HistoryRow], skipped: Int) {
        try read(path) { db in
            guard try db.tableExists("job_results") else { return ([], 0) }
            var rows: [HistoryRow] = []
            var skipped = 0
            // Values of another type than the column's are NULL here (SQLite keeps
            // whatever it is given), so each decodes to its type or nil.
            let cursor = try GRDB.Row.fetchCursor(db, sql: """
                SELECT CASE WHEN typeof(job_name) = 'text' THEN job_name END AS job_name,
                       CASE WHEN typeof(host) = 'text' THEN host END AS host,
                       CASE WHEN typeof(status) = 'text' THEN status END AS status,
                       CASE WHEN typeof(duration) IN ('integer', 'real') THEN duration END AS duration,
                       CASE WHEN typeof(output) = 'text' THEN output END AS output,
                       timestamp
                FROM job_results ORDER BY id
                """)
            while let row = try cursor.next() {
                guard let name = row["job_name"] as String?, let host = row["host"] as String? else {
                    skipped += 1
                    continue
                }
                let id = JobID(jobName: name, host: host)
                guard jobs.contains(id) else { continue }
                let status = row["status"] as String? ?? ""
                guard ["success", "failure"].contains(status), let at = parseTime(row["timestamp"]) else {
                    skipped += 1
                    continue
                }
                let duration = row["duration"] as Double?
                rows.append(HistoryRow(jobID: id, status: status, duration: duration.map { max(0, $0) }, output: row["output"], at: at))
            }
            return (rows, skipped)
        }
    }

    private static func read<T>(_ path: String, _ body: (Database) throws -> T) throws(StoreError) -> T {
        guard FileManager.default.isReadableFile(atPath: path) else { throw .query("cannot read \(path)") }
        var configuration = Configuration()
        configuration.readonly = true
        do {
            return try DatabaseQueue(path: path, configuration: configuration).read(body)
        } catch let error as StoreError {
            throw error
        } catch {
            throw .query("\(path): \(error)")
        }
    }

    /// A time as the original's SQLite driver wrote it: `2026-11-24 03:00:00`
    /// (CURRENT_TIMESTAMP, UTC), `2026-11-24 03:00:00.123456789+01:00`, or RFC 3339.
    static func parseTime(_ value: DatabaseValue) -> Date? {
        if let seconds = Double.fromDatabaseValue(value), case .int64 = value.storage { return Date(timeIntervalSince1970: seconds) }
        guard var text = String.fromDatabaseValue(value)?.trimmingCharacters(in: .whitespaces), text.count >= 19 else { return nil }
        if text.count > 10, text[text.index(text.startIndex, offsetBy: 10)] == " " {
            text.replaceSubrange(text.index(text.startIndex, offsetBy: 10)...text.index(text.startIndex, offsetBy: 10), with: "T")
        }
        // Go writes a zone after the fraction, and " +0000 UTC" in some versions.
        if let utc = text.range(of: " +0000 UTC") { text.replaceSubrange(utc, with: "Z") }
        if !text.hasSuffix("Z"), text.range(of: #"[+-]\d\d:\d\d$"#, options: .regularExpression) == nil { text += "Z" }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: Self.trimFraction(text)) { return date }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text)
    }

    /// Nanoseconds cut to milliseconds, which the formatter reads.
    static func trimFraction(_ text: String) -> String {
        guard let dot = text.firstIndex(of: ".") else { return text }
        let digits = text[text.index(after: dot)...].prefix { $0.isNumber }
        let rest = text[text.index(after: dot)...].dropFirst(digits.count)
        return String(text[..<dot]) + "." + String((digits + "000").prefix(3)) + rest
    }

    // MARK: Planning

    /// What to do with each row, against the jobs already in the tree.
    public static func plan(_ rows: [Row], existing: [JobID: CatalogEntry]) -> [PlanItem] {
        var claimed: [String: JobID] = [:]
        return rows.map { row in
            var notes = row.readNotes
            guard row.unreadable.isEmpty else { return PlanItem(row: row, action: .refused(row.unreadable), notes: notes) }
            let job: Job
            switch makeJob(row, notes: &notes) {
            case let .failure(refusal): return PlanItem(row: row, action: .refused(refusal.problems), notes: notes)
            case let .success(made): job = made
            }
            // Ids that differ only in case make file names that collide on
            // case-insensitive file systems (a checkout on a Mac).
            if let other = claimed[job.id.description.lowercased()] {
                let reason = other == job.id ? "another row has the same job_name and host" : "\(other) differs from it only in case"
                return PlanItem(row: row, action: .conflict(job.id, path: nil, reason: "\(reason); rename one in the old tool and import again"),
                                notes: notes)
            }
            claimed[job.id.description.lowercased()] = job.id
            if let present = existing[job.id] {
                let differences = differences(present.job, job)
                guard differences.isEmpty else {
                    return PlanItem(row: row, action: .conflict(job.id, path: present.path, reason: "\(present.path) exists and differs ("
                        + differences.joined(separator: "; ") + "); edit it by hand, or delete it and import again"), notes: notes)
                }
                return PlanItem(row: row, action: .unchanged(job.id, path: present.path), notes: notes)
            }
            if let lookalike = existing.keys.first(where: { $0 != job.id && $0.description.lowercased() == job.id.description.lowercased() }) {
                return PlanItem(row: row, action: .conflict(job.id, path: existing[lookalike]?.path,
                                                            reason: "\(lookalike) exists and differs from it only in case; rename one"), notes: notes)
            }
            return PlanItem(row: row, action: .create(job), notes: notes)
        }
    }

    /// The fields the import writes, compared.
    static func differences(_ present: Job, _ planned: Job) -> [String] {
        var found: [String] = []
        if present.threshold?.seconds != planned.threshold?.seconds {
            found.append("automatic_failure_threshold \(present.threshold.map { "\($0.seconds)" } ?? "none") here, \(planned.threshold?.seconds ?? 0) there")
        }
        if present.labels != planned.labels { found.append("labels") }
        if present.status != planned.status { found.append("status \(present.status.rawValue) here, \(planned.status.rawValue) there") }
        if present.apiKeySHA256 != planned.apiKeySHA256 { found.append("another key") }
        return found
    }

    /// The job file a row becomes, through the job-file decoder (the same
    /// rules and messages as every file and request).
    static func makeJob(_ row: Row, notes: inout [String]) -> Result<Job, Refusal> {
        var fields: [String: JSONValue] = ["job_name": .string(row.name), "host": .string(row.host)]
        var problems: [String] = []
        if row.threshold >= 1, row.threshold <= Int64(JobDuration.maximumSeconds) {
            fields["automatic_failure_threshold"] = .integer(row.threshold)
        } else {
            problems.append("automatic_failure_threshold \(row.threshold) is not from 1 s to 3650 days: set a threshold in the old tool, or add the job with `cronmetrics job add`")
        }
        switch row.status {
        case "active", "maintenance", "paused":
            fields["status"] = .string(row.status)
        default:
            notes.append("status \(Row.quoted(row.status)) is not active, maintenance or paused: imported as active")
            fields["status"] = .string("active")
        }
        fields["labels"] = .object(labels(row.labels, notes: &notes).mapValues(JSONValue.string))
        if let key = row.apiKey, !key.isEmpty {
            fields["api_key_sha256"] = .string(APIKeyHash.sha256Hex(of: key))
            if key.count < APIKeyHash.minimumCustomKeyLength {
                notes.append("its key has \(key.count) characters: it keeps working, but rotate it when you can (`cronmetrics job rotate-key`)")
            }
        } else {
            notes.append("no API key: the job accepts no results until it has one (`cronmetrics job rotate-key`)")
        }
        fields["description"] = .string("Imported from cron-exporter (job \(row.rowID))")
        guard problems.isEmpty else { return .failure(Refusal(problems)) }
        do {
            return .success(try JobFields.job(from: fields))
        } catch {
            let messages: [String]
            if case let .invalidJob(diagnostics) = error {
                messages = diagnostics.map { "\($0.message): rename the job in the old tool (A-Z a-z 0-9 _ . -, at most 128), or add it with `cronmetrics job add` and change its crontab line" }
            } else {
                messages = ["\(error)"]
            }
            return .failure(Refusal(messages))
        }
    }

    /// The row's labels as job-file labels: values as strings, names that are
    /// not valid label names changed to valid ones, each change noted.
    static func labels(_ text: String, notes: inout [String]) -> [String: String] {
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
            if !["", "{}", "null"].contains(text.trimmingCharacters(in: .whitespaces)) {
                notes.append("labels are not a JSON object (\(Row.quoted(String(text.prefix(60))))): none imported; add them by hand")
            }
            return [:]
        }
        var labels: [String: String] = [:]
        for (name, raw) in object.sorted(by: { $0.key < $1.key }) {
            let value: String
            switch raw {
            case let text as String: value = text
            case is NSNull:
                notes.append("label '\(name)' is null: not imported")
                continue
            default:
                value = "\(raw)"
                notes.append("label '\(name)' is not a string: imported as \"\(value)\"")
            }
            var newName = name
            if LabelName.problem(name) != nil {
                newName = sanitized(name)
                if LabelName.problem(newName) != nil || labels[newName] != nil || object[newName] != nil {
                    notes.append("label '\(name)' is not a valid label name and no rename is free: not imported; add it by hand")
                    continue
                }
                notes.append("label '\(name)' is not a valid label name: imported as '\(newName)'; update PromQL that uses it")
            }
            labels[newName] = value
        }
        return labels
    }

    /// A label name Prometheus takes: invalid characters as `_`, a leading
    /// digit or reserved name prefixed (`exported_` like Prometheus itself).
    static func sanitized(_ name: String) -> String {
        var result = String(name.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") ? $0 : "_" })
        while result.hasPrefix("__") { result.removeFirst() }
        if result.first?.isNumber == true || result.isEmpty || LabelName.reserved.contains(result) { result = "exported_" + result }
        return result
    }

    public struct Refusal: Error, Sendable, Hashable {
        public var problems: [String]
        init(_ problems: [String]) { self.problems = problems }
    }
}
