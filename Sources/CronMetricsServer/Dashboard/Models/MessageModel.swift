/// A page that says one thing (not found, not allowed, too many attempts)
/// and links back.
struct MessageModel: Sendable {
    var heading: String
    var text: String
    var back: String
}
