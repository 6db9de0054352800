import Foundation
import Mustache

/// Mustache escaping for values inside JSON strings, so that a webhook body
/// template such as `{"text": "{{job_id}} is {{status}}"}` stays valid JSON
/// whatever the output holds. Selected with `{{% CONTENT_TYPE: JSON}}`, which
/// webhook templates get in front when their body is JSON. The escaping is
/// ``QuotedString``'s: one escaper for every string we write into JSON.
struct JSONStringContentType: MustacheContentType {
    func escapeText(_ text: String) -> String {
        QuotedString.escaped(text)
    }

    /// Registers the type once, before any template is parsed.
    static let registered: Void = {
        MustacheContentTypes.register(JSONStringContentType(), named: "JSON")
    }()
}
