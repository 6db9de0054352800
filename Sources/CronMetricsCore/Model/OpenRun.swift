import Foundation

/// A run that has signalled its start and not yet reported its result.
public struct OpenRun: Sendable, Hashable {
    /// The row id in `runs`.
    public var id: Int64
    /// The client's id for the run (`?rid=`, `run_id`), if it gave one.
    public var runID: String?
    public var startedAt: Date

    public init(id: Int64, runID: String?, startedAt: Date) {
        self.id = id
        self.runID = runID
        self.startedAt = startedAt
    }
}
