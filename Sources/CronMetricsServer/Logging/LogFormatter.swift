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
    public var logLevel: Logger.Level
    let label: String
    let format: Format
    let write: @Sendable (String) -> Void

    public init(label: String, level: Logger.Level, format: Format, write: @escaping @Sendable (String) -> Void = LogFormatter.standardError) {
        self.label = label
        self.logLevel = level
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
                line += Self.jsonString(key) + ":" + Self.jsonString(value)
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

    /// A `key=value` value: bare when it is plain, else double-quoted with
    /// every control and line-breaking character escaped, so that no value
    /// (a client's text included) can end the line or forge another one.
    /// Works on Unicode scalars: CRLF is one Swift `Character`, and would slip
    /// past a comparison with "\n".
    static func quoted(_ value: String) -> String {
        let plain = !value.isEmpty && value.unicodeScalars.allSatisfy {
            $0 != " " && $0 != "\"" && $0 != "=" && $0 != "\\" && !isUnsafe($0)
        }
        return plain ? value : jsonString(value)
    }

    /// A JSON string literal with controls, NEL, U+2028 and U+2029 escaped
    /// (JSONSerialization leaves the last three as they are). Also the quoted
    /// form of text values: the same escapes serve both formats.
    static func jsonString(_ value: String) -> String {
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                guard isUnsafe(scalar) else {
                    out.unicodeScalars.append(scalar)
                    continue
                }
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            }
        }
        return out + "\""
    }

    /// C0 and C1 controls (CR, LF, ESC, NEL …), DEL, and the Unicode line and paragraph separators.
    static func isUnsafe(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7f...0x9f).contains(scalar.value) || scalar.value == 0x2028 || scalar.value == 0x2029
    }
}
