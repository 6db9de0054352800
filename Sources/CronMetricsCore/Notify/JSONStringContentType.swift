import Foundation
import Mustache

/// Mustache escaping for values inside JSON strings, so that a webhook body
/// template such as `{"text": "{{job_id}} is {{status}}"}` stays valid JSON
/// whatever the output holds. Selected with `{{% CONTENT_TYPE: JSON}}`, which
/// webhook templates get in front when their body is JSON.
struct JSONStringContentType: MustacheContentType {
    func escapeText(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{2028}": out += "\\u2028"
            case "\u{2029}": out += "\\u2029"
            default:
                if scalar.value < 0x20 {
                    out += String(format: "\\u%04x", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }

    /// Registers the type once, before any template is parsed.
    static let registered: Void = {
        MustacheContentTypes.register(JSONStringContentType(), named: "JSON")
    }()
}
