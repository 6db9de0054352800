/// A page's view model, tied to its template: a page is rendered from its
/// model alone, so a model cannot meet the wrong template.
protocol DashboardPageModel: Sendable {
    static var template: DashboardTemplate { get }
}

extension OverviewModel: DashboardPageModel { static let template = DashboardTemplate.overview }
extension JobPageModel: DashboardPageModel { static let template = DashboardTemplate.job }
extension NotificationsModel: DashboardPageModel { static let template = DashboardTemplate.notifications }
extension SignInModel: DashboardPageModel { static let template = DashboardTemplate.signin }
extension MessageModel: DashboardPageModel { static let template = DashboardTemplate.message }
extension TeamsModel: DashboardPageModel { static let template = DashboardTemplate.teams }
