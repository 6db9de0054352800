import Foundation

/// Wall-clock time in one IANA time zone, and what becomes of the wall-clock
/// times that daylight-saving changes break: those in the gap when clocks go
/// forward do not exist, those in the hour when clocks go back exist twice.
/// What a schedule does with them is ``CronSchedule``'s rule.
public struct ZonedCalendar: Sendable, Hashable {
    public let zone: TimeZone

    public init(_ zone: TimeZone) {
        self.zone = zone
    }

    /// The zone named by an IANA identifier (`Europe/Berlin`), or nil.
    public init?(identifier: String) {
        guard let zone = TimeZone(identifier: identifier) else { return nil }
        self.zone = zone
    }

    public static let utc = ZonedCalendar(TimeZone(identifier: "UTC") ?? .gmt)

    func offset(at seconds: Int) -> Int {
        zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(seconds)))
    }

    /// The wall-clock time of `instant` here.
    func civil(of instant: Date) -> CivilTime {
        let seconds = Int(instant.timeIntervalSince1970.rounded(.down))
        return CivilTime(secondsAsUTC: seconds + offset(at: seconds))
    }

    /// What a wall-clock time is here.
    enum Resolution: Equatable {
        case unique(Date)
        /// It occurs twice: before and after clocks went back.
        case repeated(Date, Date)
        /// It does not exist; the gap ends at this instant.
        case gap(endingAt: Date)
    }

    /// The instants of a wall-clock time here.
    func resolve(_ civil: CivilTime) -> Resolution {
        let local = civil.secondsAsUTC
        // The offsets in force well before and well after: transitions are
        // never closer together than this.
        let early = local - offset(at: local - 50_400), late = local - offset(at: local + 50_400)
        let valid = Set([early, late].filter { $0 + offset(at: $0) == local }).sorted()
        switch valid.count {
        case 2: return .repeated(Date(timeIntervalSince1970: TimeInterval(valid[0])), Date(timeIntervalSince1970: TimeInterval(valid[1])))
        case 1: return .unique(Date(timeIntervalSince1970: TimeInterval(valid[0])))
        default:
            // In a gap: it ends at the first instant with the later offset.
            return .gap(endingAt: firstChange(from: min(early, late), to: max(early, late)))
        }
    }

    /// The first instant after `start` and before `end` at which the offset
    /// changes, if it does.
    func transition(after start: Date, before end: Date) -> Date? {
        let low = Int(start.timeIntervalSince1970), high = Int(end.timeIntervalSince1970)
        guard offset(at: low) != offset(at: high) else { return nil }
        return firstChange(from: low, to: high)
    }

    /// Binary search, to the second, for the first instant whose offset differs
    /// from the offset at `low` (which must differ at `high`).
    private func firstChange(from low: Int, to high: Int) -> Date {
        var low = low, high = high
        let before = offset(at: low)
        while high - low > 1 {
            let middle = low + (high - low) / 2
            if offset(at: middle) == before { low = middle } else { high = middle }
        }
        return Date(timeIntervalSince1970: TimeInterval(high))
    }
}
