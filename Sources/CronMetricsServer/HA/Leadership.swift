import Foundation
import Synchronization

/// Whether this replica leads now (runs the deadline ticker's saves and
/// retention for everyone), and its name. Alone on SQLite it always leads.
final class Leadership: Sendable {
    let replicaName: String
    private let leading: Atomic<Bool>

    init(replicaName: String, leading: Bool) {
        self.replicaName = replicaName
        self.leading = Atomic(leading)
    }

    var isLeader: Bool { leading.load(ordering: .acquiring) }

    /// - Returns: whether this changed it.
    @discardableResult
    func set(_ value: Bool) -> Bool {
        leading.exchange(value, ordering: .acquiringAndReleasing) != value
    }
}
