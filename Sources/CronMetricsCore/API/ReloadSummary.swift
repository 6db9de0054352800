/// `POST /-/reload`: what the reload changed.
public struct ReloadSummary: Codable, Sendable {
    public var status: String
    public var added: [String]
    public var changed: [String]
    public var moved: [String]
    public var removed: [String]

    public init(_ diff: CatalogDiff) {
        status = "ok"
        added = diff.added.map(\.description)
        changed = diff.changed.map(\.description)
        moved = diff.moved.map(\.description)
        removed = diff.removed.map(\.description)
    }
}
