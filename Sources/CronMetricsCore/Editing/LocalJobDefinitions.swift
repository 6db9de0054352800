/// The job definitions of a `jobs.d` checkout, edited in place: the GitOps
/// way (run the CLI in the checkout, review the diff, commit).
public struct LocalJobDefinitions: JobDefinitions {
    public let root: String
    /// The configured notification channels, when a configuration file is in use.
    public let channels: Set<String>?

    public init(root: String, channels: Set<String>? = nil) {
        self.root = root
        self.channels = channels
    }

    private var editor: JobEditor { .validatingTree(root: root, channels: channels) }

    public func list(_ filter: JobFilter) async throws(JobEditError) -> [JobRecord] {
        try editor.jobs().values.filter { filter.matches($0.job) }.sorted { $0.job.id < $1.job.id }
            .map { JobRecord(job: $0.job, path: $0.path) }
    }

    public func show(_ id: JobID) async throws(JobEditError) -> JobRecord {
        let entry = try editor.entry(id)
        return JobRecord(job: entry.job, path: entry.path)
    }

    public func create(fields: [String: JSONValue], apiKey: String?) async throws(JobEditError) -> JobWithKey {
        let (entry, key) = try await editor.create(fields: fields, apiKey: apiKey)
        return JobWithKey(job: JobRecord(job: entry.job, path: entry.path), apiKey: key)
    }

    public func patch(_ id: JobID, _ patch: [String: JSONValue], apiKey: String?) async throws(JobEditError) -> JobRecord {
        let entry = try await editor.patch(id, patch, apiKey: apiKey)
        return JobRecord(job: entry.job, path: entry.path)
    }

    public func delete(_ id: JobID) async throws(JobEditError) -> JobRecord {
        let entry = try await editor.delete(id)
        return JobRecord(job: entry.job, path: entry.path)
    }

    public func rotateKey(_ id: JobID) async throws(JobEditError) -> JobWithKey {
        let (entry, key) = try await editor.rotateKey(id)
        return JobWithKey(job: JobRecord(job: entry.job, path: entry.path), apiKey: key)
    }
}
