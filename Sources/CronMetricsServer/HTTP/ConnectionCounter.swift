import Synchronization

/// How many connections are open, shared by every connection's guard.
final class ConnectionCounter: Sendable {
    private let open = Atomic<Int>(0)
    private let refused = Atomic<Int>(0)
    let limit: Int

    init(limit: Int) {
        self.limit = limit
    }

    /// Takes a place; false when every place is taken.
    func enter() -> Bool {
        if open.wrappingAdd(1, ordering: .relaxed).newValue > limit {
            open.wrappingSubtract(1, ordering: .relaxed)
            refused.wrappingAdd(1, ordering: .relaxed)
            return false
        }
        return true
    }

    func leave() {
        open.wrappingSubtract(1, ordering: .relaxed)
    }

    var current: Int { open.load(ordering: .relaxed) }
    var refusedTotal: Int { refused.load(ordering: .relaxed) }
}
