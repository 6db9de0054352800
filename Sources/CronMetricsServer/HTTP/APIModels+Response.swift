import CronMetricsCore
import Hummingbird

// The shared API models are answered as JSON with the context's encoder.
extension JobRecord: ResponseEncodable {}
extension JobList: ResponseEncodable {}
extension JobWithKey: ResponseEncodable {}
extension HistoryPage: ResponseEncodable {}
extension JobStatistics: ResponseEncodable {}
extension FlipPage: ResponseEncodable {}
extension StatsReport: ResponseEncodable {}
extension ReloadSummary: ResponseEncodable {}
extension HealthReport: ResponseEncodable {}
extension NotificationRecord: ResponseEncodable {}
extension NotificationPage: ResponseEncodable {}
extension NotificationCount: ResponseEncodable {}
extension NotificationTestResult: ResponseEncodable {}
extension PlanBasis: ResponseEncodable {}
extension AuditPage: ResponseEncodable {}
