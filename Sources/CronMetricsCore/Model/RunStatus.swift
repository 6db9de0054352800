/// How a run ended, as its host reported it.
public enum RunStatus: String, Sendable, Codable, Hashable {
    case success
    case failure
    /// Output logged by a ping (`/ping/{key}/log`): stored, no state change.
    case log
}
