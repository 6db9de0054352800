import Hummingbird

/// `limit` and `before` of a paged listing, checked.
struct PageQuery {
    var limit = 50
    var before: Int64?

    /// - Parameter item: what the ids name, for the message (`result`, `notification`).
    init(_ request: Request, item: String) throws(APIError) {
        let query = request.uri.queryParameters
        if let text = query["limit"] {
            guard let value = Int(text), (1...1000).contains(value) else {
                throw APIError(.unprocessableContent, "'limit' must be a whole number from 1 to 1000", field: "limit")
            }
            limit = value
        }
        if let text = query["before"] {
            guard let value = Int64(text), value > 0 else {
                throw APIError(.unprocessableContent, "'before' must be a\(item.first.map { "aeiou".contains($0) } == true ? "n" : "") \(item) id (the next_before of the previous page)", field: "before")
            }
            before = value
        }
    }
}
