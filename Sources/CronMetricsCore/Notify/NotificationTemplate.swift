import Mustache

/// Webhook body templates: Mustache, with values escaped for JSON strings when
/// the body is JSON (the default) and left as they are otherwise.
public enum NotificationTemplate {
    /// - Throws: the parser's error for a template that does not parse.
    public static func compile(_ text: String, json: Bool) throws -> MustacheTemplate {
        _ = JSONStringContentType.registered
        return try MustacheTemplate(string: (json ? "{{% CONTENT_TYPE: JSON}}" : "{{% CONTENT_TYPE: TEXT}}") + text)
    }
}
