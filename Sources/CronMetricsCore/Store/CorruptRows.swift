import Synchronization

/// Rows the store could not read: each one is reported (the server logs it
/// and counts it in `cronmetrics_store_corrupt_rows_total`) and left out of
/// the list it was in, so one bad row neither stops a start nor hides the
/// rows beside it, and never reads as a default.
public final class CorruptRows: Sendable {
    private let count = Atomic<Int>(0)
    private let handler = Mutex<(@Sendable (StoreError) -> Void)?>(nil)

    public init() {}

    /// How many rows were reported since start.
    public var total: Int { count.load(ordering: .relaxed) }

    /// Calls `handler` with each report (the server's log).
    public func onReport(_ handler: @escaping @Sendable (StoreError) -> Void) {
        self.handler.withLock { $0 = handler }
    }

    public func report(_ error: StoreError) {
        count.add(1, ordering: .relaxed)
        handler.withLock { $0 }?(error)
    }

    /// The value `read` makes of a row, or nil, reported, when the row is corrupt.
    func reading<T>(_ read: () throws(StoreError) -> T) -> T? {
        do {
            return try read()
        } catch {
            report(error)
            return nil
        }
    }
}
