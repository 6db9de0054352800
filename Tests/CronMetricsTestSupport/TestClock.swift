import Foundation
import Synchronization

/// A clock the test moves by hand.
public final class TestClock: Sendable {
    private let seconds: Mutex<Double>

    public init(_ start: Double = 1_800_000_000) {
        seconds = Mutex(start)
    }

    public var now: Date { Date(timeIntervalSince1970: seconds.withLock { $0 }) }

    public func advance(_ by: Double) {
        seconds.withLock { $0 += by }
    }

    public func set(_ date: Date) {
        seconds.withLock { $0 = date.timeIntervalSince1970 }
    }
}
