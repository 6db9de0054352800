import Foundation

/// The span statistics are counted over: the last `24h`, `7d`, `30d`, `90d`
/// (any whole number of hours or days up to 400 days), or `from`/`to`.
///
/// Run counts and durations come from hourly rollups: they cover every hour
/// the window touches (a `24h` window asked at 10:20 counts from 10:00 the
/// day before). Time figures (uptime, outages) come from flips and are exact
/// to the second at both ends.
public struct StatsWindow: Sendable, Hashable {
    public var from: Date
    public var to: Date
    /// How it was asked for (`30d`), or nil for `from`/`to`.
    public var name: String?

    public init(from: Date, to: Date, name: String? = nil) {
        (self.from, self.to, self.name) = (from, to, name)
    }

    /// The longest window: what rollups are kept for by default.
    public static let maximumDays = 400

    /// `24h`, `7d` … ending at `now`.
    /// - Throws: ``StatsWindowError`` naming what is wrong.
    public init(named name: String, now: Date) throws(StatsWindowError) {
        guard let unit = name.last, unit == "h" || unit == "d", let count = Int(name.dropLast()), count > 0,
              count <= (unit == "h" ? Self.maximumDays * 24 : Self.maximumDays) else {
            throw .window(name)
        }
        let seconds = Double(count) * (unit == "h" ? 3_600 : 86_400)
        self.init(from: now.addingTimeInterval(-seconds), to: now, name: name)
    }

    /// The window of a request: `window`, or `from` and `to` (RFC 3339; `to` defaults to now).
    public init(window: String?, from: String?, to: String?, now: Date, default name: String = "30d") throws(StatsWindowError) {
        if from == nil, to == nil {
            try self.init(named: window ?? name, now: now)
            return
        }
        guard window == nil else { throw .both }
        guard let from, let start = RFC3339.parse(from) else { throw .time("from", from ?? "") }
        var end = now
        if let to {
            guard let date = RFC3339.parse(to) else { throw .time("to", to) }
            // Nothing has happened after now: a window reaching past it ends now.
            end = min(date, now)
        }
        guard start < end else { throw .order }
        guard end.timeIntervalSince(start) <= Double(Self.maximumDays) * 86_400 else { throw .tooLong }
        self.init(from: start, to: end)
    }

    public var seconds: Double { to.timeIntervalSince(from) }

    static let hour = 3_600.0
    static let day = 86_400.0

    /// The rollup rows that cover the hours the window touches, its end
    /// included (a result at the very second a window ends, such as now on
    /// the hour, counts): whole UTC days as daily rows, the hours at either
    /// end as hourly rows.
    public var cover: [(grain: Int, from: Double, to: Double)] {
        let start = (from.timeIntervalSince1970 / Self.hour).rounded(.down) * Self.hour
        let end = to.timeIntervalSince1970
        let endHour = (end / Self.hour).rounded(.down) * Self.hour + Self.hour
        let firstDay = (start / Self.day).rounded(.up) * Self.day
        let lastDay = (end / Self.day).rounded(.down) * Self.day
        guard firstDay < lastDay else { return [(3_600, start, endHour)] }
        return [(3_600, start, firstDay), (86_400, firstDay, lastDay), (3_600, lastDay, endHour)].filter { $0.from < $0.to }
    }
}

/// A window that cannot be read.
public enum StatsWindowError: Error, Equatable, CustomStringConvertible {
    case window(String)
    case both
    case time(String, String)
    case order
    case tooLong

    public var description: String {
        switch self {
        case let .window(text): "window \(text.debugDescription) is not a number of hours or days (24h, 7d, 30d, 90d; at most \(StatsWindow.maximumDays)d)"
        case .both: "give window or from/to, not both"
        case let .time(field, text): "\(field) \(text.debugDescription) is not an RFC 3339 time"
        case .order: "from must be before to"
        case .tooLong: "from/to span more than \(StatsWindow.maximumDays) days"
        }
    }

    /// The request field it is about.
    public var field: String {
        switch self {
        case .window, .both, .tooLong: "window"
        case let .time(field, _): field
        case .order: "from"
        }
    }
}
