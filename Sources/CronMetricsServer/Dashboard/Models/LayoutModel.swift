/// What every page's frame shows: the title, the navigation of a signed-in
/// session with its sign-out form, and whether the page takes live updates.
struct LayoutModel: Sendable {
    enum Nav: Sendable {
        case overview, notifications
    }

    var title: String
    var page: String
    var signedIn: Bool
    var csrf: String?
    var role: String?
    var navOverview: Bool
    var navNotifications: Bool
    var live: Bool
    /// Seconds between refreshes without JavaScript; nil: none.
    var refresh: Int?
    /// The page's own HTML, rendered first.
    var content: String
}
