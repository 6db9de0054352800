/// Which jobs a listing shows; the same filter for the API (`?label=k=v&…`),
/// the CLI (`--label k=v …`, in both of its modes) and the dashboard.
public struct JobFilter: Sendable, Hashable {
    /// Every one must match: `name=value`.
    public var labels: [String: String] = [:]
    /// The job's lifecycle in its file.
    public var lifecycle: Lifecycle?
    /// The lifecycle or the exported status (`pending`, `missed_deadline` …);
    /// only a server knows the latter.
    public var status: String?
    public var host: String?
    /// Case-insensitive, in the id and the description.
    public var text: String?

    public init(labels: [String: String] = [:], lifecycle: Lifecycle? = nil, status: String? = nil, host: String? = nil, text: String? = nil) {
        self.labels = labels
        self.lifecycle = lifecycle
        self.status = status
        self.host = host
        self.text = text
    }

    /// Parses `name=value` label filters.
    /// - Throws: ``JobEditError/invalidField(field:message:)`` naming `label`.
    public static func labels(_ pairs: [String]) throws(JobEditError) -> [String: String] {
        var labels: [String: String] = [:]
        for pair in pairs {
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2 else {
                throw .invalidField(field: "label", message: "label filters are name=value (got \"\(pair.prefix(64))\")")
            }
            if let problem = LabelName.problem(parts[0]) { throw .invalidField(field: "label", message: problem) }
            labels[parts[0]] = parts[1]
        }
        return labels
    }

    /// Whether `job` (whose exported status is `verdict`, when known) matches.
    public func matches(_ job: Job, verdict: ExportedStatus? = nil) -> Bool {
        if let host, job.host != host { return false }
        if let lifecycle, job.status != lifecycle { return false }
        if let status, job.status.rawValue != status, verdict?.rawValue != status { return false }
        if !labels.allSatisfy({ job.labels[$0.key] == $0.value }) { return false }
        if let text {
            let needle = text.lowercased()
            guard job.id.description.lowercased().contains(needle) || (job.description?.lowercased().contains(needle) ?? false)
            else { return false }
        }
        return true
    }

    /// The filter as API query items, in a stable order.
    public var queryItems: [(String, String)] {
        var items = labels.keys.sorted().map { ("label", "\($0)=\(labels[$0] ?? "")") }
        if let lifecycle { items.append(("lifecycle", lifecycle.rawValue)) }
        if let status { items.append(("status", status)) }
        if let host { items.append(("host", host)) }
        if let text { items.append(("q", text)) }
        return items
    }
}
