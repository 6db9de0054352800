import CronMetricsCore
import Foundation
import Logging

/// One log line per event, UTC RFC 3339 time, as `key=value` text or as a JSON
/// object. Metadata is rendered when a line is written, never when a key is
/// set (swift-log's stream handler re-renders on every set, which showed up on
/// the submission path).
public struct LogFormatter: LogHandler {
    public enum Format: String, Sendable {
        case text, json
    }

    public var metadata: Logger.Metadata = [:]
    /// The shared level when there is a control (a reload changes it for
    /// every logger at once), else this handler's own.
    public var logLevel: Logger.Level {
        get { control?.level ?? ownLevel }
        set { ownLevel = newValue }
    }
    private var ownLevel: Logger.Level
    let control: LogLevelControl?
    let label: String
    let format: Format
    let write: @Sendable (String) -> Void

    public init(label: String, level: Logger.Level, format: Format, control: LogLevelControl? = nil,
                write: @escaping @Sendable (String) -> Void = LogFormatter.standardError) {
        self.label = label
        self.ownLevel = level
        self.control = control
        self.format = format
        self.write = write
    }

    public static let standardError: @Sendable (String) -> Void = { line in
        FileHandle.standardError.write(Data(line.utf8))
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var all = metadata
        if let extra = event.metadata {
            all.merge(extra) { $1 }
        }
        all["hb.request.id"] = nil  // our request_id is the one to correlate on
        let time = Self.timestamp(Date())
        switch format {
        case .json:
            var fields = [("ts", time), ("level", event.level.rawValue), ("msg", "\(event.message)")]
            for key in all.keys.sorted() where !["ts", "level", "msg"].contains(key) {
                fields.append((key, all[key].map { "\($0)" } ?? ""))
            }
            fields.sort { $0.0 < $1.0 }
            var line = "{"
            for (index, (key, value)) in fields.enumerated() {
                if index > 0 { line += "," }
                line += QuotedString.quote(key) + ":" + QuotedString.quote(value)
            }
            write(line + "}\n")
        case .text:
            var line = "ts=\(time) level=\(event.level.rawValue) msg=\(Self.quoted("\(event.message)"))"
            for key in all.keys.sorted() {
                line += " \(Self.quoted(key))=\(Self.quoted("\(all[key].map { "\($0)" } ?? "")"))"
            }
            write(line + "\n")
        }
    }

    /// Milliseconds, always UTC: `2026-11-23T15:23:01.123Z`.
    static func timestamp(_ date: Date) -> String {
        let whole = RFC3339.format(date)
        let millis = Int((date.timeIntervalSince1970 * 1000).rounded(.down)) % 1000
        let fraction = String(millis + 1000).dropFirst()
        return "\(whole.dropLast()).\(fraction)Z"
    }

    /// A `key=value` value: bare when it is plain, else quoted with every
    /// control and line-breaking character escaped, so that no value (a
    /// client's text included) can end the line or forge another one.
    static func quoted(_ value: String) -> String {
        let plain = !value.isEmpty && value.unicodeScalars.allSatisfy {
            $0 != " " && $0 != "\"" && $0 != "=" && $0 != "\\" && !isUnsafe($0)
        }
        return plain ? value : QuotedString.quote(value)
    }

    /// The characters that may not appear raw in a log line.
    static func isUnsafe(_ scalar: Unicode.Scalar) -> Bool {
        QuotedString.needsEscape(scalar)
    }
}
