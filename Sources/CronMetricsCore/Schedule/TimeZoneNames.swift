import Foundation

/// The IANA zone names this system knows, for "did you mean".
public enum TimeZoneNames {
    public static let all: [String] = TimeZone.knownTimeZoneIdentifiers
    static let known = Set(all + ["UTC"])

    /// Whether `name` is an IANA zone name (not an abbreviation such as CET,
    /// which Foundation also accepts).
    public static func isKnown(_ name: String) -> Bool {
        known.contains(name)
    }

    /// The known zone closest to a misspelt one (`Europe/Berln`), if any.
    public static func suggestion(for name: String) -> String? {
        if let exact = all.first(where: { $0.lowercased() == name.lowercased() }) { return exact }
        return Spelling.closest(to: name, in: all)
    }
}
