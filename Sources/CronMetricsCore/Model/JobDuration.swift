/// A duration in a job file: the threshold, the grace, the longest runtime.
///
/// Written as whole seconds (`3600`) or as a duration of `w`, `d`, `h`, `m`, `s`
/// parts in that order (`"90m"`, `"1h30m"`, `"2d"`). The original spelling is kept
/// so that writing a job back does not rewrite what a person typed.
public struct JobDuration: Hashable, Sendable {
    /// The longest duration accepted anywhere a duration is written (job files,
    /// flags, requests): 3650 days. Every instant derived from it (a deadline, a
    /// purge cutoff) then stays within the years RFC 3339 can write.
    public static let maximumSeconds = 3650 * 86_400

    /// Whole seconds, from 1 to ``maximumSeconds``.
    public let seconds: Int
    /// The duration text as written (`"1h30m"`), or nil when given as a number.
    public let text: String?

    /// - Precondition: `seconds` is within 1...``maximumSeconds`` (clamped otherwise).
    public init(seconds: Int) {
        self.seconds = min(max(seconds, 1), Self.maximumSeconds)
        self.text = nil
    }

    /// Parses a duration such as `"90m"`, `"1h30m"`, `"2d"` or `"45s"`, or a bare
    /// number of seconds (`"3600"`). Returns nil for anything else, zero and
    /// anything over ``maximumSeconds`` included.
    public init?(parsing text: String) {
        guard let seconds = Self.seconds(in: text), seconds > 0, seconds <= Self.maximumSeconds else { return nil }
        self.seconds = seconds
        self.text = Int(text) == nil ? text : nil
    }

    /// Why `text` is not a duration, or nil when it is one.
    public static func problem(_ text: String) -> String? {
        guard let seconds = seconds(in: text) else {
            return "write a positive number of seconds (3600) or a duration such as \"90m\", \"1h30m\", \"2d\""
        }
        if seconds <= 0 { return "it must be longer than zero" }
        if seconds > maximumSeconds { return "it may be at most 3650d (10 years)" }
        return nil
    }

    /// The seconds `text` spells, unbounded but without overflow; nil when it
    /// is not a number or a `w d h m s` duration.
    static func seconds(in text: String) -> Int? {
        if let number = Int(text) { return number }
        let units: [(Character, Int)] = [("w", 604_800), ("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1)]
        var total = 0
        var digits = 0
        var hasDigits = false
        var nextUnit = 0  // units must come largest first, each at most once
        for character in text {
            if let digit = character.wholeNumberValue, character.isASCII {
                let (shifted, overflow1) = digits.multipliedReportingOverflow(by: 10)
                let (added, overflow2) = shifted.addingReportingOverflow(digit)
                guard !overflow1, !overflow2 else { return nil }
                digits = added
                hasDigits = true
                continue
            }
            guard hasDigits,
                  let index = units[nextUnit...].firstIndex(where: { $0.0 == character })
            else { return nil }
            let (part, overflow1) = digits.multipliedReportingOverflow(by: units[index].1)
            let (sum, overflow2) = total.addingReportingOverflow(part)
            guard !overflow1, !overflow2 else { return nil }
            total = sum
            digits = 0
            hasDigits = false
            nextUnit = index + 1
        }
        guard !hasDigits, nextUnit > 0 else { return nil }
        return total
    }
}
