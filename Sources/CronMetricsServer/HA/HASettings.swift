import Foundation

/// How replicas sharing one PostgreSQL work together (`ha.*`).
public struct HASettings: Sendable, Equatable {
    /// This replica's name in the `replicas` table, `/health` and process
    /// metrics; nil: the host name and listen port (replicas on one machine differ).
    public var replicaName: String?
    /// A follower saves a missed deadline or a timeout overdue by this much
    /// (the leader did not: it is frozen, or gone and not yet replaced).
    public var takeoverAfter: Duration = .seconds(10)
    /// How long a claim on a notification lasts: a replica that dies
    /// mid-delivery leaves its claims to the others after this.
    public var claimLease: Duration = .seconds(120)
    /// How often a follower tries to become leader, and the leader checks its connection.
    public var leaderRetry: Duration = .seconds(1)

    public init(replicaName: String? = nil, takeoverAfter: Duration = .seconds(10), claimLease: Duration = .seconds(120)) {
        self.replicaName = replicaName
        self.takeoverAfter = takeoverAfter
        self.claimLease = claimLease
    }

    /// The name this replica goes by.
    func name(port: Int) -> String {
        if let replicaName, !replicaName.isEmpty { return replicaName }
        return "\(ProcessInfo.processInfo.hostName):\(port)"
    }
}
