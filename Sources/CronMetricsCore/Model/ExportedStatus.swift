/// The status a job exports, and its value on `cronjob_status`.
public enum ExportedStatus: String, Sendable, Hashable, CaseIterable {
    case success
    case failure
    case missedDeadline = "missed_deadline"
    case maintenance
    case paused
    /// Never reported and still within its threshold: no verdict yet.
    case pending
    /// A run stayed open past the job's `max_runtime` (it hangs, or died unreported).
    case timeout

    /// 1 success; 0 failure, missed deadline or timeout; -1 no verdict (maintenance, paused, pending).
    public var value: Int {
        switch self {
        case .success: return 1
        case .failure, .missedDeadline, .timeout: return 0
        case .maintenance, .paused, .pending: return -1
        }
    }
}
