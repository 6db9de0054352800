import Foundation

/// What a successful reconcile did.
public struct ReconcileReport: Sendable {
    public var catalog: JobCatalog
    /// The job table as it now is (with first-seen times).
    public var jobs: [JobID: StoredJob]
    public var diff: CatalogDiff
    public var warnings: [JobFileDiagnostic]
    public var fileCount: Int
    public var parsedCount: Int
}
