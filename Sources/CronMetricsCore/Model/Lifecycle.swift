/// Where a job is in its life. Only `active` jobs can go to `failure` or
/// `missed_deadline`; `retired` jobs are not exported and refuse submissions.
public enum Lifecycle: String, Sendable, Codable, CaseIterable {
    case active
    case maintenance
    case paused
    case retired
}
