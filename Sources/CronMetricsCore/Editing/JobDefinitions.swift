/// Job definitions as the CLI sees them, wherever they are: a `jobs.d`
/// checkout (``LocalJobDefinitions``) or a running server's API (the
/// client's `RemoteJobDefinitions`). Each CLI command is written once against
/// this, and prints the same in both modes.
public protocol JobDefinitions: Sendable {
    /// The jobs that match, by id.
    func list(_ filter: JobFilter) async throws(JobEditError) -> [JobRecord]
    func show(_ id: JobID) async throws(JobEditError) -> JobRecord
    /// - Returns: the job and, when one was generated, its key (shown once).
    func create(fields: [String: JSONValue], apiKey: String?) async throws(JobEditError) -> JobWithKey
    /// Applies an RFC 7386 merge patch of the job's fields.
    func patch(_ id: JobID, _ patch: [String: JSONValue], apiKey: String?) async throws(JobEditError) -> JobRecord
    /// - Returns: the job as it was.
    func delete(_ id: JobID) async throws(JobEditError) -> JobRecord
    func rotateKey(_ id: JobID) async throws(JobEditError) -> JobWithKey
}
