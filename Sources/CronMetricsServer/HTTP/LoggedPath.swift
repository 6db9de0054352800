/// A request path as log lines show it: the secret segment of a ping URL
/// (`/ping/{key}/…`) and of a badge URL (`/badge/{badge_key}/…`) is
/// replaced by `…`.
enum LoggedPath {
    static let secretPrefixes = ["/ping/", "/badge/"]

    static func masked(_ path: String) -> String {
        guard let prefix = secretPrefixes.first(where: { path.hasPrefix($0) }) else { return path }
        let rest = path.dropFirst(prefix.count)
        guard let slash = rest.firstIndex(of: "/") else { return prefix + "…" }
        return prefix + "…" + rest[slash...]
    }
}
