/// How the server notices changes to `jobs.d` (`jobs.watch`).
public enum WatchMode: String, Sendable, CaseIterable {
    case inotify, poll, off
}
