/// Every error the API answers: `{"error", "request_id"}`, with `field` naming
/// the request field at fault and `errors` listing every problem when there
/// are several.
public struct ErrorBody: Codable, Sendable {
    public var error: String
    public var field: String?
    public var errors: [String]?
    public var requestId: String

    public init(error: String, field: String?, errors: [String]?, requestId: String) {
        self.error = error
        self.field = field
        self.errors = errors
        self.requestId = requestId
    }
}
