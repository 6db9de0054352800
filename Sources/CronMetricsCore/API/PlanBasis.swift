import Foundation

/// What a running server serves, as `cronmetrics plan` compares a checkout
/// with it (`GET /api/plan-basis`, or a file saved by `plan --save-basis`):
/// every job's definition and the little of its state the plan's warnings need.
public struct PlanBasis: Codable, Sendable, Hashable {
    /// One job as the server serves it.
    public struct BasisJob: Codable, Sendable, Hashable {
        public var id: String
        /// Its file, relative to the server's `jobs.d`.
        public var path: String
        /// Its definition as job-file fields (as `PUT /api/job/{id}` takes
        /// them), without `api_key_sha256`: the API never answers a key's hash.
        public var fields: [String: JSONValue]
        /// ``PlanBasis/keyFingerprint(ofHash:)`` of its key hash, nil without
        /// a key: enough to tell whether a checkout changes the key, nothing more.
        public var keyFingerprint: String?
        /// The exported status now (`success`, `failure`, `missed_deadline` …, `retired`).
        public var status: String
        /// Runs open now.
        public var running: Int
        /// When its deadline counts from now (its last signal, or when it was
        /// first seen or became active); nil when it has no deadline.
        public var deadlineAnchor: Date?

        public init(id: String, path: String, fields: [String: JSONValue], keyFingerprint: String?, status: String, running: Int,
                    deadlineAnchor: Date?) {
            self.id = id
            self.path = path
            self.fields = fields
            self.keyFingerprint = keyFingerprint
            self.status = status
            self.running = running
            self.deadlineAnchor = deadlineAnchor
        }
    }

    /// When the server answered: the plan judges "late" as of this time.
    public var generatedAt: Date
    /// The server's version.
    public var version: String
    /// The notification channels the server has.
    public var channels: [String]
    public var jobs: [BasisJob]

    /// A random salt of this basis, for its key fingerprints.
    public var keySalt: String

    /// A key hash as this basis shows it: SHA-256 of it with the basis's salt
    /// (the basis may sit in a CI artefact: the hash never leaves, and two
    /// bases do not tell which jobs share a key across them).
    public func keyFingerprint(ofHash hash: String) -> String {
        APIKeyHash.sha256Hex(of: "cronmetrics plan key:\(keySalt):" + hash)
    }

    /// A job as the basis holds it: its fields without the key hash, and the key's fingerprint.
    public func basisFields(of job: Job) -> (fields: [String: JSONValue], keyFingerprint: String?) {
        var fields = JobFields.fields(of: job)
        fields[JobFileKey.apiKeySHA256.rawValue] = nil
        return (fields, job.apiKeySHA256.map(keyFingerprint(ofHash:)))
    }

    public init(generatedAt: Date, version: String = CronMetricsVersion.current, channels: [String], jobs: [BasisJob] = [],
                keySalt: String = Hex.encode((0..<16).map { _ in UInt8.random(in: .min ... .max) })) {
        self.keySalt = keySalt
        self.generatedAt = generatedAt
        self.version = version
        self.channels = channels
        self.jobs = jobs
    }
}
