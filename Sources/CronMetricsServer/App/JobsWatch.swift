/// How the server notices changes to `jobs.d`: the tree, the mode, and how
/// often a poll looks.
struct JobsWatch: Sendable {
    var root: String
    var mode: WatchMode
    var pollInterval: Duration
}

extension ServerConfiguration {
    var watch: JobsWatch {
        JobsWatch(root: jobsDirectory, mode: jobsWatch, pollInterval: pollInterval)
    }
}
