import Yams

extension Node {
    /// Whether this is YAML's null (`~`, `null`, or nothing at all), written plain.
    var isYAMLNull: Bool {
        guard let scalar, scalar.style == .plain else { return false }
        switch scalar.string {
        case "", "~", "null", "Null", "NULL": return true
        default: return false
        }
    }
}
