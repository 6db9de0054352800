/// What decoding one job file produced: the job when it is valid, and every
/// diagnostic found (decoding goes on after the first error, so one run of
/// `validate` shows them all).
public struct DecodedJobFile: Sendable {
    public var job: Job?
    public var diagnostics: [JobFileDiagnostic]
    /// Where `job_name` is written, for pointing at duplicates.
    public var idLine: Int
    public var idColumn: Int
    /// Where `notify` is written, for pointing at an unknown channel.
    public var notifyMark: (line: Int, column: Int)?
    /// Where `api_key_sha256`'s value is, when given.
    public var keyMark: (line: Int, column: Int)?
    /// Where `depends_on` and `escalate` are written, for pointing at an
    /// unknown job, a cycle or an unknown channel.
    public var dependsMark: (line: Int, column: Int)?
    public var escalateMark: (line: Int, column: Int)?

    public var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }
}
