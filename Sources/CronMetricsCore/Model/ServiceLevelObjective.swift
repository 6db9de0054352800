import Foundation

/// A job file's `slo: {success_ratio: 99.5%, window: 30d}`: the share of
/// runs that must succeed over a rolling window (a missed deadline and a
/// timeout are failed runs). The error budget is the rest: `1 - ratio` of
/// the window's runs may fail.
public struct ServiceLevelObjective: Hashable, Sendable {
    /// The target, strictly between 0 and 1 (`0.995`).
    public var successRatio: Double
    /// As the file wrote it: `"99.5%"` or `0.995`.
    public var written: JSONValue
    /// The window as written (`30d`, `7d`, `24h`); nil: ``defaultWindow``.
    public var window: String?

    public static let defaultWindow = "30d"

    public init(successRatio: Double, written: JSONValue? = nil, window: String? = nil) {
        self.successRatio = successRatio
        self.written = written ?? .string("\(Self.percent(successRatio))%")
        self.window = window
    }

    /// The window in force.
    public var windowText: String { window ?? Self.defaultWindow }

    /// The window's length in seconds (the text is checked when the file is read).
    public var windowSeconds: Double {
        (try? StatsWindow(named: windowText, now: Date(timeIntervalSince1970: 0)).seconds) ?? 30 * 86_400
    }

    /// How a file writes it.
    public var json: JSONValue {
        var fields: [String: JSONValue] = ["success_ratio": written]
        if let window { fields["window"] = .string(window) }
        return .object(fields)
    }

    /// `99.5` for 0.995: a percentage without float noise.
    static func percent(_ ratio: Double) -> String {
        let value = (ratio * 100 * 1_000_000).rounded() / 1_000_000
        return value == value.rounded() ? String(Int(value)) : String(value)
    }

    /// Reads `99.5%` or `0.995`; the problem with anything else.
    public static func ratio(_ text: String) -> Result<Double, RatioProblem> {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let value: Double
        if trimmed.hasSuffix("%") {
            // 99.9% is 0.999, not 99.9 / 100 = 0.9990000000000001: divided as a decimal, read as text.
            guard Double(trimmed.dropLast())?.isFinite == true, let percent = Decimal(string: String(trimmed.dropLast())) else {
                return .failure(.notARatio)
            }
            value = Double("\(percent / 100)") ?? .nan
        } else {
            guard let number = Double(trimmed), number.isFinite else { return .failure(.notARatio) }
            guard number <= 1 else { return .failure(.overOne) }
            value = number
        }
        guard value > 0 else { return .failure(.notARatio) }
        guard value < 1 else { return .failure(.noBudget) }
        return .success(value)
    }

    public enum RatioProblem: Error {
        case notARatio, overOne, noBudget

        public var message: String {
            switch self {
            case .notARatio: "write a percentage such as 99.5% or a ratio such as 0.995"
            case .overOne: "a number is a ratio from 0 to 1: write 99.5% or 0.995"
            case .noBudget: "100% leaves no error budget: one failed run would break it; write less, such as 99.9%"
            }
        }
    }
}

/// A job file's `metrics: {duration_histogram: true}`: series this job
/// exports beyond the standard ones.
public struct JobMetricsOptions: Hashable, Sendable {
    /// Export `cronjob_duration_seconds` (a histogram) for this job; nil: `metrics.duration_histogram`.
    public var durationHistogram: Bool?

    public init(durationHistogram: Bool? = nil) {
        self.durationHistogram = durationHistogram
    }

    public var json: JSONValue {
        var fields: [String: JSONValue] = [:]
        if let durationHistogram { fields["duration_histogram"] = .bool(durationHistogram) }
        return .object(fields)
    }
}
