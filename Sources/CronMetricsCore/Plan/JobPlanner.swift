import Foundation

/// Compares a validated checkout with a server's ``PlanBasis``: pure, so a
/// plan against a saved basis is the same as against the server it came from.
public enum JobPlanner {
    /// Statuses that count as failing now.
    static let failing: Set<String> = ["failure", "missed_deadline", "timeout"]

    public static func plan(_ catalog: JobCatalog, basis: PlanBasis, source: String) -> JobPlan {
        var changes: [JobPlan.Change] = []
        var warnings: [JobPlan.Warning] = []
        let served = Dictionary(basis.jobs.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let channels = Set(basis.channels)
        for (id, entry) in catalog.entries.sorted(by: { $0.key < $1.key }) {
            let job = entry.job
            let name = id.description
            guard let old = served[name] else {
                changes.append(JobPlan.Change(action: "add", job: name, path: entry.path))
                warnings += keyAndChannels(job, channels: channels, keyBefore: nil)
                continue
            }
            // The key compared by fingerprint: the basis never holds a hash.
            let key = JobFileKey.apiKeySHA256.rawValue
            var before = old.fields, after = basis.basisFields(of: job)
            before[key] = old.keyFingerprint.map(JSONValue.string)
            after.fields[key] = after.keyFingerprint.map(JSONValue.string)
            let fields = fieldChanges(before, after.fields, oldPath: old.path, newPath: entry.path)
            guard !fields.isEmpty else { continue }
            changes.append(JobPlan.Change(action: "change", job: name, path: entry.path, fields: fields))
            warnings += keyAndChannels(job, channels: channels, keyBefore: old.keyFingerprint)
            let labels = old.fields[JobFileKey.labels.rawValue]?.object ?? [:]
            if labels != job.labels.mapValues(JSONValue.string) {
                let names = Set(labels.keys).union(job.labels.keys).filter { labels[$0] != job.labels[$0].map(JSONValue.string) }.sorted()
                warnings.append(.init(job: name, kind: "renames-series", message: """
                    its labels change (\(names.joined(separator: ", "))): its series get a new label set, so dashboards and \
                    alert rules that select the old labels stop matching it
                    """))
            }
            if let anchor = old.deadlineAnchor, !["missed_deadline", "paused", "maintenance", "retired"].contains(old.status),
               isLate(job, anchor: anchor, at: basis.generatedAt) {
                warnings.append(.init(job: name, kind: "late-at-once", message: """
                    under the new definition its deadline has already passed: it turns missed_deadline (and alerts) as soon as this is merged
                    """))
            }
        }
        for old in basis.jobs.sorted(by: { $0.id < $1.id }) {
            guard let id = JobID(old.id), catalog.entries[id] == nil else { continue }
            changes.append(JobPlan.Change(action: "remove", job: old.id, path: old.path))
            if failing.contains(old.status) {
                warnings.append(.init(job: old.id, kind: "removes-failing", message: """
                    removing a job that is failing now (\(old.status)): its alert goes away unresolved
                    """))
            }
            if old.running > 0 {
                warnings.append(.init(job: old.id, kind: "removes-running", message: """
                    removing a job with \(old.running == 1 ? "a run" : "\(old.running) runs") open now: \
                    \(old.running == 1 ? "its" : "their") result will be refused
                    """))
            }
        }
        return JobPlan(basis: source, basisTime: basis.generatedAt, changes: changes, warnings: warnings)
    }

    /// The fields that differ, in job-file order, the file first when it moved.
    static func fieldChanges(_ old: [String: JSONValue], _ new: [String: JSONValue], oldPath: String, newPath: String) -> [JobPlan.FieldChange] {
        var changes: [JobPlan.FieldChange] = []
        if oldPath != newPath {
            changes.append(.init(field: "file", before: .string(oldPath), after: .string(newPath)))
        }
        let order = JobFileKey.allCases.map(\.rawValue)
        let names = Set(old.keys).union(new.keys).sorted { (order.firstIndex(of: $0) ?? order.count, $0) < (order.firstIndex(of: $1) ?? order.count, $1) }
        for name in names where name != JobFileKey.version.rawValue && old[name] != new[name] {
            if name == JobFileKey.apiKeySHA256.rawValue {
                changes.append(.init(field: name, before: nil, after: nil, secret: true))
            } else {
                changes.append(.init(field: name, before: old[name], after: new[name]))
            }
        }
        return changes
    }

    /// A job without a key, and `notify` channels the server does not have.
    static func keyAndChannels(_ job: Job, channels: Set<String>, keyBefore: String?) -> [JobPlan.Warning] {
        var warnings: [JobPlan.Warning] = []
        let name = job.id.description
        if job.apiKeySHA256 == nil {
            warnings.append(.init(job: name, kind: "no-key", message: keyBefore == nil
                ? "it has no api_key_sha256: no host can submit its results or pings"
                : "its api_key_sha256 is removed: the hosts that submit its results will get 401"))
        }
        let named = (job.notify ?? []).map { ("notify", $0) } + job.escalate.flatMap { step in step.notify.map { ("escalate", $0) } }
        for (field, channel) in named where !channels.contains(channel) {
            let known = channels.sorted()
            warnings.append(.init(job: name, kind: "unknown-channel", message: """
                \(field) names channel '\(channel)', which the server does not have (it has: \(known.isEmpty ? "none" : known.joined(separator: ", "))): \
                the server refuses to load this tree, keeping its last good set, until the channel is configured
                """))
        }
        return warnings
    }

    /// Whether `job`, whose deadline counts from `anchor`, would be past it at `time`.
    static func isLate(_ job: Job, anchor: Date, at time: Date) -> Bool {
        var state = JobState()
        state.lastReceivedAt = anchor
        state.lastStatus = .success
        return Verdict.evaluate(job: job, firstSeen: anchor, state: state, now: time)?.status == .missedDeadline
    }
}
