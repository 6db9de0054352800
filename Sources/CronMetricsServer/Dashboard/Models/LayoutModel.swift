/// What every page's frame shows: the title, the navigation of a signed-in
/// session with its sign-out form, and whether the page takes live updates.
struct LayoutModel: Sendable {
    enum Nav: Sendable {
        case overview, teams, notifications
    }

    var title, page: String
    /// A signed-in session's sign-out form and role.
    var signedIn: Bool
    var csrf, role: String?
    var navOverview, navTeams, navNotifications, live: Bool
    /// Seconds between refreshes without JavaScript; nil: none.
    var refresh: Int?
    /// The page's own HTML, rendered first.
    var content: String
    /// The footer (signed in): the replica answering and the one leading (nil: none now).
    var replica: String
    var leader: String?
}
