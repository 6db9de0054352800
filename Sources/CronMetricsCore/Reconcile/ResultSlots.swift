/// Fixed slots that parallel workers fill, each index written by exactly one worker.
// @unchecked Sendable: every index is written once, by one worker, and read only
// after concurrentPerform has returned (which orders those writes before the reads).
final class ResultSlots<Value>: @unchecked Sendable {
    // A raw buffer rather than an Array: concurrent writes to distinct elements of
    // a class's Array property would trip Swift's exclusivity checks.
    private let slots: UnsafeMutableBufferPointer<Value?>

    init(count: Int) {
        slots = .allocate(capacity: count)
        slots.initialize(repeating: nil)
    }

    deinit {
        slots.deinitialize()
        slots.deallocate()
    }

    func set(_ index: Int, _ value: Value) {
        slots[index] = value
    }

    func values() -> [Value] {
        slots.compactMap { $0 }
    }
}
