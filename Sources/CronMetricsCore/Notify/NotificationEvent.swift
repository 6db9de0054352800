import Foundation

/// What every channel is told, and what a webhook receives as JSON (or its
/// template renders from): the event id for deduplication, the job, the change
/// of status and the last run.
public struct NotificationEvent: Codable, Sendable, Hashable {
    /// The last reported run, as stored (output already redacted and cut).
    public struct LastRun: Codable, Sendable, Hashable {
        public var status: String
        public var at: Date
        public var exitCode: Int?
        public var duration: Double?
        /// The output's last ``NotificationEvent/outputLimit`` bytes.
        public var output: String?

        public init(status: String, at: Date, exitCode: Int?, duration: Double?, output: String?) {
            self.status = status
            self.at = at
            self.exitCode = exitCode
            self.duration = duration
            self.output = output.map { NotificationEvent.tail($0) }
        }
    }

    /// How much output a message carries: enough to see the error, small
    /// enough for chat and pager limits.
    public static let outputLimit = 4096

    public var eventId: String
    public var kind: NotificationKind
    public var jobId: String
    public var jobName: String
    public var host: String
    public var labels: [String: String]
    public var previousStatus: String
    public var status: String
    public var at: Date
    /// 0 for the first message of an event; 1, 2 … for repeats of a down.
    public var repeatCount: Int
    public var lastRun: LastRun?
    /// For a `down` sent to an escalation step's channels: the step, from 1
    /// (absent otherwise).
    public var escalation: Int?
    /// The job's dashboard page, when `server.external_url` is set.
    public var url: String?

    public init(eventId: String = UUID().uuidString.lowercased(), kind: NotificationKind, jobId: String, jobName: String,
                host: String, labels: [String: String], previousStatus: String, status: String, at: Date,
                repeatCount: Int = 0, lastRun: LastRun?, url: String?) {
        self.eventId = eventId
        self.kind = kind
        self.jobId = jobId
        self.jobName = jobName
        self.host = host
        self.labels = labels
        self.previousStatus = previousStatus
        self.status = status
        self.at = at
        self.repeatCount = repeatCount
        self.lastRun = lastRun
        self.url = url
    }

    /// One line for people: subjects, chat messages, pager summaries.
    public var summary: String {
        switch kind {
        case .down:
            var text = "\(jobId) is DOWN: \(status.replacingOccurrences(of: "_", with: " "))"
            if status == "failure", let code = lastRun?.exitCode { text += " (exit code \(code))" }
            if repeatCount > 0 { text += " (still down, reminder \(repeatCount))" }
            if let escalation { text += " (still down, escalation \(escalation))" }
            return text
        case .up: return "\(jobId) is UP again: success after \(previousStatus.replacingOccurrences(of: "_", with: " "))"
        case .test: return "cronmetrics test notification"
        }
    }

    /// A test event for a channel (`notify test`).
    public static func test(at: Date) -> NotificationEvent {
        NotificationEvent(kind: .test, jobId: "test@cronmetrics", jobName: "test", host: "cronmetrics", labels: [:],
                          previousStatus: "success", status: "success", at: at, lastRun: nil, url: nil)
    }

    /// The last `outputLimit` bytes of `text`, cut at a character boundary.
    static func tail(_ text: String) -> String {
        let bytes = Array(text.utf8)
        guard bytes.count > outputLimit else { return text }
        var start = bytes.count - outputLimit
        while start < bytes.count, bytes[start] & 0xC0 == 0x80 { start += 1 }
        return String(decoding: bytes[start...], as: UTF8.self)
    }

    /// As stored and sent (snake_case JSON).
    public func json() throws -> String {
        String(decoding: try APICoding.encoder.encode(self), as: UTF8.self)
    }
}
