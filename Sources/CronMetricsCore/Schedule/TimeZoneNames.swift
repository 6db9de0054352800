import Foundation

/// The IANA zone names this system knows, for "did you mean".
public enum TimeZoneNames {
    public static let all: [String] = TimeZone.knownTimeZoneIdentifiers

    /// The known zone closest to a misspelt one (`Europe/Berln`), if any.
    public static func suggestion(for name: String) -> String? {
        if let exact = all.first(where: { $0.lowercased() == name.lowercased() }) { return exact }
        return Spelling.closest(to: name, in: all)
    }
}
