/// When each job's verdict may next change by itself, as a binary min-heap:
/// a tick pops only what is due, instead of looking at every job.
///
/// Entries are never removed early: a job re-evaluated for another reason
/// gets a new version, and the old entry is skipped when it comes up.
struct ChangeQueue: Sendable {
    struct Item: Sendable {
        var time: Double
        var index: Int32
        var version: UInt32
    }

    private(set) var items: [Item] = []

    var isEmpty: Bool { items.isEmpty }
    var earliest: Double? { items.first?.time }

    /// Builds the heap from all items at once, in O(n).
    init(_ items: [Item] = []) {
        self.items = items
        guard items.count > 1 else { return }
        for index in stride(from: items.count / 2 - 1, through: 0, by: -1) {
            siftDown(index)
        }
    }

    mutating func push(_ item: Item) {
        items.append(item)
        var child = items.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard items[child].time < items[parent].time else { break }
            items.swapAt(child, parent)
            child = parent
        }
    }

    /// Removes and returns the earliest item if it is due by `time`.
    mutating func popDue(by time: Double) -> Item? {
        guard let first = items.first, first.time < time else { return nil }
        let last = items.removeLast()
        if !items.isEmpty {
            items[0] = last
            siftDown(0)
        }
        return first
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1, right = left + 1
            var smallest = parent
            if left < items.count, items[left].time < items[smallest].time { smallest = left }
            if right < items.count, items[right].time < items[smallest].time { smallest = right }
            guard smallest != parent else { return }
            items.swapAt(parent, smallest)
            parent = smallest
        }
    }
}
