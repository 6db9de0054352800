import Foundation
import Synchronization

/// Whether this replica leads now (runs the deadline ticker's saves and
/// retention for everyone), and its name. Alone on SQLite it always leads.
final class Leadership: Sendable {
    let replicaName: String
    private let leading: Atomic<Bool>
    /// Who leads as this replica last heard (its own name while it leads).
    private let heardLeader: Mutex<String?>

    init(replicaName: String, leading: Bool) {
        self.replicaName = replicaName
        self.leading = Atomic(leading)
        heardLeader = Mutex(leading ? replicaName : nil)
    }

    var isLeader: Bool { leading.load(ordering: .acquiring) }

    /// The leader's name: this replica's while it leads, else the one the
    /// coordinator last read from PostgreSQL's lock table (nil: none leads).
    var leaderName: String? {
        isLeader ? replicaName : heardLeader.withLock { $0 }
    }

    func heard(leader: String?) {
        heardLeader.withLock { $0 = leader }
    }

    /// - Returns: whether this changed it.
    @discardableResult
    func set(_ value: Bool) -> Bool {
        leading.exchange(value, ordering: .acquiringAndReleasing) != value
    }
}
