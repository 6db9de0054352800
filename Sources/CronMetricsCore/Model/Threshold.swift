/// How long a job may stay silent before it is failed automatically.
///
/// Written as whole seconds (`3600`) or as a duration of `w`, `d`, `h`, `m`, `s`
/// parts in that order (`"90m"`, `"1h30m"`, `"2d"`). The original spelling is kept
/// so that writing a job back does not rewrite what a person typed.
public struct Threshold: Hashable, Sendable {
    /// Whole seconds, always positive.
    public let seconds: Int
    /// The duration text as written (`"1h30m"`), or nil when given as a number.
    public let text: String?

    public init(seconds: Int) {
        self.seconds = seconds
        self.text = nil
    }

    /// Parses a duration such as `"90m"`, `"1h30m"`, `"2d"` or `"45s"`, or a bare
    /// number of seconds (`"3600"`). Returns nil for anything else, zero included.
    public init?(parsing text: String) {
        if let number = Int(text) {
            guard number > 0 else { return nil }
            self.seconds = number
            self.text = nil
            return
        }
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
        guard !hasDigits, total > 0 else { return nil }
        self.seconds = total
        self.text = text
    }
}
