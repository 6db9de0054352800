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
        public var secret: Bool?

        public init(field: String, before: JSONValue?, after: JSONValue?, secret: Bool? = nil) {
            self.field = field
            self.before = before
            self.after = after
            self.secret = secret
        }
    }

    /// One job added, changed or removed.
    public struct Change: Codable, Sendable, Hashable {
        /// `add`, `change` or `remove`.
        public var action: String
        public var job: String
        /// Its file in the checkout (the server's, for a removal).
        public var path: String
        /// For `change`: what differs, in job-file order (`file` first when it moved).
        public var fields: [FieldChange]

        public init(action: String, job: String, path: String, fields: [FieldChange] = []) {
            self.action = action
            self.job = job
            self.path = path
            self.fields = fields
        }
    }

    /// Something to read before merging.
    public struct Warning: Codable, Sendable, Hashable {
        public var job: String
        /// `removes-failing`, `removes-running`, `late-at-once`, `no-key`, `unknown-channel`, `renames-series`.
        public var kind: String
        public var message: String

        public init(job: String, kind: String, message: String) {
            self.job = job
            self.kind = kind
            self.message = message
        }
    }

    /// Where the basis came from (the server's URL or the saved file).
    public var basis: String
    /// When the basis was taken: "failing", "running" and "late" are as of then.
    public var basisTime: Date
    public var changes: [Change]
    public var warnings: [Warning]

    public init(basis: String, basisTime: Date, changes: [Change], warnings: [Warning]) {
        self.basis = basis
        self.basisTime = basisTime
        self.changes = changes
        self.warnings = warnings
    }

    public func count(_ action: String) -> Int {
        changes.count { $0.action == action }
    }
}
