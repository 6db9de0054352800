/// Renders a job to the text of its file, deterministically: keys in schema
/// order, labels by name, a trailing newline, and never a plaintext key (only
/// `api_key_sha256` exists in ``Job``). The same job always gives the same bytes,
/// so an API edit is a minimal diff in git.
public struct JobFileRenderer: Sendable {
    /// The comment that opens files cronmetrics creates. The schema line lets
    /// editors with the YAML language server check the file as it is typed (the
    /// path holds for a `jobs.d` beside `docs/`, as in this repository).
    public static let header = """
        # Managed by cronmetrics: safe to edit by hand, then commit.
        # Reference: docs/job-file.md
        # yaml-language-server: $schema=../docs/job.schema.json


        """

    public init() {}

    /// - Parameters:
    ///   - job: the job to render.
    ///   - header: whether to open with ``header`` (true for new files).
    /// - Returns: the file's text.
    public func render(_ job: Job, header: Bool = true) -> String {
        var out = header ? Self.header : ""
        func line(_ key: JobFileKey, _ value: String) {
            out += "\(key.rawValue): \(value)\n"
        }
        line(.version, String(Job.schemaVersion))
        line(.jobName, Self.scalar(job.jobName))
        line(.host, Self.scalar(job.host))
        func duration(_ key: JobFileKey, _ value: JobDuration?) {
            if let value { line(key, value.text.map(Self.scalar) ?? String(value.seconds)) }
        }
        duration(.automaticFailureThreshold, job.threshold)
        if let schedule = job.schedule { line(.schedule, QuotedString.quote(schedule.text)) }
        if let timezone = job.timezone { line(.timezone, Self.scalar(timezone)) }
        duration(.grace, job.grace)
        duration(.maxRuntime, job.maxRuntime)
        line(.status, job.status.rawValue)
        if let until = job.maintenanceUntil {
            line(.maintenanceUntil, RFC3339.format(until))
        }
        if !job.labels.isEmpty {
            out += "\(JobFileKey.labels.rawValue):\n"
            for name in job.labels.keys.sorted() {
                out += "  \(name): \(Self.scalar(job.labels[name] ?? ""))\n"
            }
        }
        if let notify = job.notify {
            line(.notify, "[" + notify.map(Self.scalar).joined(separator: ", ") + "]")
        }
        if let hash = job.apiKeySHA256 {
            line(.apiKeySHA256, hash)
        }
        if let description = job.description {
            line(.description, Self.scalar(description))
        }
        return out
    }

    /// `text` as a YAML scalar that reads back as the same string: plain when
    /// that is unambiguous, double-quoted otherwise.
    static func scalar(_ text: String) -> String {
        needsQuotes(text) ? QuotedString.quote(text) : text
    }

    static func needsQuotes(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, let last = text.unicodeScalars.last else { return true }
        // Only these may start a plain scalar; YAML gives most other characters a meaning there.
        guard first.properties.isAlphabetic || ("0"..."9").contains(first) || first == "_" || first == "/" || first == "(",
              last != " "
        else { return true }
        for scalar in text.unicodeScalars {
            switch scalar {
            case "a"..."z", "A"..."Z", "0"..."9", "_", ".", "/", "@", "-", " ", "(", ")", ",", "+":
                continue
            default:
                return true
            }
        }
        // Plain scalars that YAML would read as something other than a string.
        let lowered = text.lowercased()
        let special: Set<String> = ["true", "false", "yes", "no", "on", "off", "y", "n", "null", "~", "nan", ".nan", "inf", ".inf"]
        if special.contains(lowered) || Double(text) != nil || Int(text) != nil { return true }
        if text.utf8.first.map({ (48...57).contains($0) }) == true, text.contains("-") { return true }  // dates
        if text.hasPrefix("0x") || text.hasPrefix("0o") || text.hasPrefix("+") { return true }
        return false
    }
}
