/// The outcome of reading a whole tree.
public struct TreeLoad: Sendable {
    /// The validated catalog, or nil when any file has an error.
    public var catalog: JobCatalog?
    /// Every error and warning, sorted by path and line.
    public var diagnostics: [JobFileDiagnostic]
    /// How many files decoded to a job (duplicates included).
    public var jobCount: Int
    /// How many job files the tree holds.
    public var fileCount: Int
    /// How many of them were read and parsed in this pass (the rest came from the cache).
    public var parsedCount: Int

    public var errors: [JobFileDiagnostic] { diagnostics.filter { $0.severity == .error } }
    public var warnings: [JobFileDiagnostic] { diagnostics.filter { $0.severity == .warning } }
}
