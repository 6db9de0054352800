/// A request path as log lines show it: the key of a ping URL
/// (`/ping/{key}/…`) is a secret and is replaced by `…`.
enum LoggedPath {
    static func masked(_ path: String) -> String {
        guard path.hasPrefix("/ping/") else { return path }
        let rest = path.dropFirst("/ping/".count)
        guard let slash = rest.firstIndex(of: "/") else { return "/ping/…" }
        return "/ping/…" + rest[slash...]
    }
}
