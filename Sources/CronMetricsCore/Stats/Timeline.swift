import Foundation

/// A job's time in a window, from its flips: how long it was counted (it
/// existed, and was active: paused, maintenance, retired and removed time is
/// not), how long of that it was failing, and its outages.
///
/// Pure: the flips before the window give the state it starts in, the flips
/// inside it the changes; a maintenance flip ends by itself at its `until`.
public struct Timeline: Sendable, Hashable {
    /// Seconds the job was counted (existed and active).
    public var countedSeconds = 0.0
    /// Seconds of those it was failing (failure, missed_deadline, timeout).
    public var failingSeconds = 0.0
    /// Failing spells inside the window, clipped to it.
    public var outages: [ClosedRange<Date>] = []
    /// Outages that began inside the window (one already failing at its start did not).
    public var onsets = 0

    public init() {}

    /// - Parameters:
    ///   - health: the job's status before the window (its last health flip's `to`), nil if none.
    ///   - life: its last lifecycle flip before the window, nil if none (a job
    ///     known before lifecycle flips were written counts as active).
    ///   - flips: the flips inside the window, in time order.
    ///   - firstSeen: when the job was first seen; time before it is not counted.
    public init(window: StatsWindow, health: String?, life: Flip?, flips: [Flip], firstSeen: Date?) {
        var health = health
        var life = life
        let start = max(window.from, firstSeen ?? window.from)
        var cursor = window.from
        var outageStart: Date?
        func active(at time: Date) -> Bool {
            guard let life else { return true }
            switch life.to {
            case Lifecycle.active.rawValue: return true
            case Lifecycle.maintenance.rawValue: return life.until.map { time >= $0 } ?? false
            default: return false
            }
        }
        // One stretch of unchanged state, [cursor, end).
        func advance(to end: Date) {
            // A maintenance that ends by itself inside the stretch splits it.
            if let until = life?.until, life?.to == Lifecycle.maintenance.rawValue, until > cursor, until < end {
                advance(to: until)
            }
            let from = max(cursor, start)
            cursor = max(cursor, end)
            guard end > from else { return }
            let counted = active(at: from)
            let failing = counted && health.map(Flip.failing.contains) == true
            if counted { countedSeconds += end.timeIntervalSince(from) }
            if failing {
                failingSeconds += end.timeIntervalSince(from)
                if outageStart == nil { outageStart = from }
            } else if let begun = outageStart {
                outages.append(begun...from)
                outageStart = nil
            }
        }
        for flip in flips where flip.at <= window.to {
            advance(to: max(flip.at, window.from))
            if flip.isLifecycle {
                life = flip
            } else {
                let wasFailing = health.map(Flip.failing.contains) == true
                health = flip.to
                if !wasFailing, Flip.failing.contains(flip.to), flip.at >= start, active(at: flip.at) { onsets += 1 }
            }
        }
        advance(to: window.to)
        if let begun = outageStart { outages.append(begun...window.to) }
    }

    /// Time not failing over time counted; nil when nothing was counted.
    public var uptimeRatio: Double? {
        countedSeconds > 0 ? 1 - failingSeconds / countedSeconds : nil
    }

    public var longestOutage: Double? {
        outages.map { $0.upperBound.timeIntervalSince($0.lowerBound) }.max()
    }

    /// Time up per outage begun; nil without one.
    public var meanTimeBetweenFailures: Double? {
        onsets > 0 ? (countedSeconds - failingSeconds) / Double(onsets) : nil
    }
}
