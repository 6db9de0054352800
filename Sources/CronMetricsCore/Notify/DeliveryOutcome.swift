import Foundation

/// How one try to deliver a notification ended.
public enum DeliveryOutcome: Sendable, Hashable {
    /// The receiver took it (2xx; SMTP 250).
    case delivered(status: Int?)
    /// Try again later: a network error, a timeout, 5xx, 408, 425 or 429.
    /// `retryAfter` is the receiver's own `Retry-After` (429 and 503), in seconds.
    case retry(status: Int?, error: String, retryAfter: Double?)
    /// Never try again: the receiver refused it for good (any other 4xx; an
    /// SMTP 5xx), or the channel cannot send it.
    case permanent(status: Int?, error: String)

    /// The outcome of an HTTP answer, by the rules in docs/notifications.md.
    ///
    /// - Parameters:
    ///   - retryAfter: the `Retry-After` header: seconds, or an HTTP date.
    ///   - bodyHead: the start of the answer's body, kept with a failure.
    public static func http(status: Int, retryAfter: String?, bodyHead: String, now: Date) -> DeliveryOutcome {
        switch status {
        case 200..<300:
            return .delivered(status: status)
        case 408, 425, 429, 500..<600:
            let wait = (status == 429 || status == 503) ? retryAfter.flatMap { Self.seconds(retryAfter: $0, now: now) } : nil
            return .retry(status: status, error: "HTTP \(status): \(bodyHead)", retryAfter: wait)
        default:
            return .permanent(status: status, error: "HTTP \(status): \(bodyHead)")
        }
    }

    /// `Retry-After` as seconds from now: a number of seconds, or an HTTP date.
    static func seconds(retryAfter text: String, now: Date) -> Double? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let seconds = Double(trimmed), seconds >= 0, seconds.isFinite { return seconds }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return formatter.date(from: trimmed).map { max(0, $0.timeIntervalSince(now)) }
    }
}
