/// A job and a key issued for it, shown this once (create, rotate-key).
public struct JobWithKey: Codable, Sendable {
    public var job: JobRecord
    /// nil when the caller chose the key or gave only its hash.
    public var apiKey: String?

    public init(job: JobRecord, apiKey: String?) {
        self.job = job
        self.apiKey = apiKey
    }
}
