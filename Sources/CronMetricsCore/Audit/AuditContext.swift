/// Who made a write, and through what: every audit row a write leaves
/// carries it (SPEC §17).
public struct AuditContext: Sendable, Hashable {
    /// The key's name (`alice`, `key-1a2b3c4d5e6f` for an unnamed key), `git`
    /// for changes a reload found in the tree, `local:USER` for the CLI on a
    /// store it opened itself.
    public var actor: String
    /// `admin`, `git` or `local`.
    public var role: String
    /// The route (`PATCH /api/job/{id}`), dashboard action or reload trigger.
    public var route: String
    /// The request's `X-Request-ID`, where there is a request.
    public var requestID: String?
    /// The checkout's HEAD commit, for changes found in a git work tree.
    public var commit: String?

    public init(actor: String, role: String, route: String, requestID: String? = nil, commit: String? = nil) {
        self.actor = actor
        self.role = role
        self.route = route
        self.requestID = requestID
        self.commit = commit
    }

    /// Changes a reload found in the tree (nobody here wrote them).
    public static func git(route: String, requestID: String? = nil) -> AuditContext {
        AuditContext(actor: "git", role: "git", route: route, requestID: requestID)
    }
}

/// One audit row to write: a context and what it did to one job (or to the outbox).
public struct AuditEntry: Sendable, Hashable {
    public var context: AuditContext
    /// `added`, `changed`, `moved`, `removed` (a job); `requeued`, `deleted` (notifications).
    public var action: String
    public var jobID: String? = nil
    /// The job's file, relative to `jobs.d`.
    public var path: String? = nil
    /// SHA-256 of the file's bytes before and after (nil where there was no file).
    public var hashBefore: String? = nil
    public var hashAfter: String? = nil
    /// More about it: the old path of a move, the notifications an action took.
    public var detail: String? = nil
}

/// Whom a reload's changes are credited to: those in the files an edit
/// wrote to the edit's author, every other one to `git`.
public struct AuditSource: Sendable {
    public var edit: AuditContext?
    /// The files the edit wrote or removed, relative to `jobs.d`.
    public var editedPaths: Set<String>
    public var reload: AuditContext

    public init(edit: AuditContext? = nil, editedPaths: Set<String> = [], reload: AuditContext = .git(route: "reload")) {
        self.edit = edit
        self.editedPaths = editedPaths
        self.reload = reload
    }

    /// Who made a change to a job whose file was `old` and is `new` now.
    func context(old: String?, new: String?) -> AuditContext {
        if let edit, [old, new].contains(where: { $0.map(editedPaths.contains) == true }) { return edit }
        return reload
    }
}
