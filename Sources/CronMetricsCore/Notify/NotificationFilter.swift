/// Which notifications a listing or a bulk action takes.
public struct NotificationFilter: Sendable, Hashable {
    /// The states to list; `pending` also covers rows being sent now.
    public enum State: String, Sendable, CaseIterable {
        case pending, delivered, dead
    }

    public var state: State?
    public var channel: String?
    public var job: String?

    public init(state: State? = nil, channel: String? = nil, job: String? = nil) {
        self.state = state
        self.channel = channel
        self.job = job
    }

    /// The row states a filter state stands for.
    var rowStates: [String]? {
        switch state {
        case nil: nil
        case .pending?: ["pending", "sending"]
        case .delivered?: ["delivered"]
        case .dead?: ["dead"]
        }
    }
}
