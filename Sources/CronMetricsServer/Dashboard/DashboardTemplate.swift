/// The dashboard's templates, built into the binary. A page names its
/// template by case, so a missing one is a compile error; the library
/// checks at start that each compiled.
enum DashboardTemplate: String, CaseIterable, Sendable {
    case layout, signin, overview, job, notifications, message, teams

    var source: [UInt8] {
        switch self {
        case .layout: PackageResources.layout_mustache
        case .signin: PackageResources.signin_mustache
        case .overview: PackageResources.overview_mustache
        case .job: PackageResources.job_mustache
        case .notifications: PackageResources.notifications_mustache
        case .message: PackageResources.message_mustache
        case .teams: PackageResources.teams_mustache
        }
    }
}
