import Foundation

/// Byte-level helpers for the Prometheus text exposition format (0.0.4).
///
/// Written by hand rather than with swift-prometheus: series text is prepared
/// once per job when something changes and a scrape only concatenates bytes,
/// which a registry that formats every sample on each scrape cannot do (see
/// docs/performance.md for the figures this buys).
public enum PrometheusText {
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// Appends `value` escaped as a label value: `\` `"` and newline.
    public static func appendEscaped(_ value: String, to out: inout [UInt8]) {
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\\"): out += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
            case UInt8(ascii: "\""): out += [UInt8(ascii: "\\"), UInt8(ascii: "\"")]
            case UInt8(ascii: "\n"): out += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
            default: out.append(byte)
            }
        }
    }

    /// Appends a sample value: integers without a fraction, others in Swift's
    /// shortest round-trip form (which Prometheus parses).
    public static func appendNumber(_ value: Double, to out: inout [UInt8]) {
        if value.isNaN {
            out += Array("NaN".utf8)
        } else if value.isInfinite {
            out += Array((value > 0 ? "+Inf" : "-Inf").utf8)
        } else if value == value.rounded(), abs(value) < 9_007_199_254_740_992 {
            appendInteger(Int64(value), to: &out)
        } else {
            out += Array(String(value).utf8)
        }
    }

    public static func appendInteger(_ value: Int64, to out: inout [UInt8]) {
        if value == 0 {
            out.append(UInt8(ascii: "0"))
            return
        }
        var magnitude = value.magnitude
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        withUnsafeMutableBytes(of: &digits) { buffer in
            while magnitude > 0 {
                buffer[count] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
                count += 1
            }
        }
        if value < 0 { out.append(UInt8(ascii: "-")) }
        withUnsafeBytes(of: &digits) { buffer in
            for index in stride(from: count - 1, through: 0, by: -1) {
                out.append(buffer[index])
            }
        }
    }

    /// Appends `# HELP` and `# TYPE` lines.
    public static func appendHeader(name: String, help: String, type: String, to out: inout [UInt8]) {
        out += Array("# HELP \(name) \(help)\n# TYPE \(name) \(type)\n".utf8)
    }

    /// The same exposition with `name="value"` first on every sample line
    /// (comment lines as they are): a replica's own metrics carry its name.
    public static func labeled(_ text: [UInt8], name: String, value: String) -> [UInt8] {
        var label = Array("\(name)=\"".utf8)
        appendEscaped(value, to: &label)
        label.append(UInt8(ascii: "\""))
        var out: [UInt8] = []
        out.reserveCapacity(text.count + text.count / 2)
        for line in text.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            defer { out.append(UInt8(ascii: "\n")) }
            guard line.first != UInt8(ascii: "#"),
                  let end = line.firstIndex(where: { $0 == UInt8(ascii: "{") || $0 == UInt8(ascii: " ") }) else {
                out += line
                continue
            }
            // The metric name ends at its first `{` or space: nothing before it can hold either.
            out += line[..<end]
            out.append(UInt8(ascii: "{"))
            out += label
            if line[end] == UInt8(ascii: "{") {
                let rest = line[line.index(after: end)...]
                if rest.first != UInt8(ascii: "}") { out.append(UInt8(ascii: ",")) }
                out += rest
            } else {
                out.append(UInt8(ascii: "}"))
                out += line[end...]
            }
        }
        out.removeLast()  // the split's last piece is after the final newline
        return out
    }
}
