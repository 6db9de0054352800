/// How a run ended, as its host reported it.
public enum RunStatus: String, Sendable, Codable, Hashable {
    case success
    case failure
}
