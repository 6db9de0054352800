/// The changes the API, the CLI and the dashboard ask for, in the API's
/// terms: job fields as JSON, merge patches, and keys.
extension JobEditor {
    /// Creates a job from its fields. The key: `apiKey` when given (the
    /// caller's own), else the `api_key_sha256` in the fields, else a new one.
    ///
    /// - Returns: the job and, when one was generated, its key (shown once).
    public nonisolated(nonsending) func create(fields: [String: JSONValue], apiKey: String?) async throws(JobEditError) -> (CatalogEntry, issuedKey: String?) {
        var job = try JobFields.job(from: fields)
        var issued: String?
        if let apiKey {
            job.apiKeySHA256 = try Self.hash(of: apiKey)
        } else if job.apiKeySHA256 == nil {
            let key = APIKeyHash.generateKey()
            job.apiKeySHA256 = APIKeyHash.sha256Hex(of: key)
            issued = key
        }
        return (try await create(job), issued)
    }

    /// Replaces a job's definition (PUT). `job_name` and `host` default to the
    /// id's; the key stays unless the request names one (`api_key`,
    /// `api_key_sha256`, or `api_key_sha256: null`, which revokes it).
    public nonisolated(nonsending) func replace(_ id: JobID, fields: [String: JSONValue], apiKey: String?) async throws(JobEditError) -> CatalogEntry {
        var fields = fields
        if fields["job_name"] == nil { fields["job_name"] = .string(id.jobName) }
        if fields["host"] == nil { fields["host"] = .string(id.host) }
        let replacement = fields
        return try await update(id) { current throws(JobEditError) in
            try Self.withKey(try JobFields.job(from: replacement), current: current, named: replacement["api_key_sha256"] != nil, apiKey: apiKey)
        }
    }

    /// Changes a job by an RFC 7386 merge patch of its fields (PATCH): given
    /// fields replace, `null` removes, `labels` merge by name.
    public nonisolated(nonsending) func patch(_ id: JobID, _ patch: [String: JSONValue], apiKey: String?) async throws(JobEditError) -> CatalogEntry {
        try await update(id) { current throws(JobEditError) in
            let merged = JSONValue.object(JobFields.fields(of: current)).merging(.object(patch)).object ?? [:]
            return try Self.withKey(try JobFields.job(from: merged), current: current, named: patch["api_key_sha256"] != nil, apiKey: apiKey)
        }
    }

    /// Mints a new key for a job; the old one stops working.
    /// - Returns: the job and the new key (shown once).
    public nonisolated(nonsending) func rotateKey(_ id: JobID) async throws(JobEditError) -> (CatalogEntry, key: String) {
        let key = APIKeyHash.generateKey()
        let entry = try await update(id) { current in
            var job = current
            job.apiKeySHA256 = APIKeyHash.sha256Hex(of: key)
            return job
        }
        return (entry, key)
    }

    private static func withKey(_ job: Job, current: Job, named: Bool, apiKey: String?) throws(JobEditError) -> Job {
        var job = job
        if let apiKey {
            job.apiKeySHA256 = try hash(of: apiKey)
        } else if !named {
            job.apiKeySHA256 = current.apiKeySHA256
        }
        return job
    }

    private static func hash(of key: String) throws(JobEditError) -> String {
        if let problem = APIKeyHash.customKeyProblem(key) {
            throw .invalidField(field: "api_key", message: problem)
        }
        return APIKeyHash.sha256Hex(of: key)
    }
}
