import Foundation

/// What merging a checkout would do to a running server (SPEC §17): jobs
/// added, removed and changed field by field, and the warnings an operator
/// should read before merging. Made by ``JobPlanner``; printed by
/// `cronmetrics plan` as text, markdown or this JSON.
public struct JobPlan: Codable, Sendable, Hashable {
    /// One field that differs. The key hash is never shown, only that it changed.
    public struct FieldChange: Codable, Sendable, Hashable {
        public var field: String
        public var before: JSONValue?
        public var after: JSONValue?
        /// True for `api_key_sha256`: `before` and `after` are left out.
        public var secret: Bool? = nil
    }

    /// One job added, changed or removed.
    public struct Change: Codable, Sendable, Hashable {
        /// `add`, `change` or `remove`.
        public var action: String
        public var job: String
        /// Its file in the checkout (the server's, for a removal).
        public var path: String
        /// For `change`: what differs, in job-file order (`file` first when it moved).
        public var fields: [FieldChange] = []
    }

    /// Something to read before merging.
    public struct Warning: Codable, Sendable, Hashable {
        public var job: String
        /// `removes-failing`, `removes-running`, `late-at-once`, `no-key`, `unknown-channel`, `renames-series`.
        public var kind: String
        public var message: String
    }

    /// Where the basis came from (the server's URL or the saved file).
    public var basis: String
    /// When the basis was taken: "failing", "running" and "late" are as of then.
    public var basisTime: Date
    public var changes: [Change]
    public var warnings: [Warning]

    public func count(_ action: String) -> Int {
        changes.count { $0.action == action }
    }
}
