/// A job file's escalation step, `{after: 1h, notify: [pager]}`: a job still
/// down this long after its `down` went out notifies these channels too,
/// once an outage; its recovery resolves them too.
public struct EscalationStep: Hashable, Sendable {
    public var after: JobDuration
    public var notify: [String]

    public init(after: JobDuration, notify: [String]) {
        self.after = after
        self.notify = notify
    }

    /// How a file writes it.
    public var json: JSONValue {
        .object(["after": JSONValue(duration: after), "notify": .array(notify.map(JSONValue.string))])
    }
}
