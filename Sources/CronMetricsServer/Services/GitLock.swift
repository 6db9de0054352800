import Foundation

/// The index lock of the git work tree that holds `jobs.d`, if any.
///
/// `git checkout`, `pull`, `merge` and `rebase` hold `.git/index.lock` while
/// they rewrite the work tree. A reload that lands in the middle would apply
/// a mix of two branches, so the watcher waits for the lock to go first.
struct GitLock: Sendable {
    /// The lock file's path: `<git dir>/index.lock`.
    let path: String

    /// Finds the git directory of the work tree holding `folder`: a `.git`
    /// folder, or a `.git` file (`gitdir: …`, in linked work trees and
    /// submodules), in `folder` or any folder above it.
    init?(containing folder: String) {
        var current = URL(fileURLWithPath: folder).standardizedFileURL.resolvingSymlinksInPath()
        while true {
            let dotGit = current.appendingPathComponent(".git").path
            var isFolder: ObjCBool = false
            if FileManager.default.fileExists(atPath: dotGit, isDirectory: &isFolder) {
                if isFolder.boolValue {
                    path = dotGit + "/index.lock"
                    return
                }
                guard let text = try? String(contentsOfFile: dotGit, encoding: .utf8),
                      let line = text.split(separator: "\n").first, line.hasPrefix("gitdir:")
                else { return nil }
                let gitDir = line.dropFirst("gitdir:".count).trimmingCharacters(in: .whitespaces)
                let absolute = gitDir.hasPrefix("/") ? gitDir : current.appendingPathComponent(gitDir).path
                path = absolute + "/index.lock"
                return
            }
            let parent = current.deletingLastPathComponent()
            if parent.path == current.path { return nil }
            current = parent
        }
    }

    var isHeld: Bool {
        FileManager.default.fileExists(atPath: path)
    }

    /// Waits while the lock is held, up to `limit` (a lock left by a crashed
    /// git would otherwise stop reloads for good).
    ///
    /// - Returns: whether it had to wait.
    @discardableResult
    func waitUntilReleased(limit: Duration = .seconds(30)) async -> Bool {
        guard isHeld else { return false }
        let start = ContinuousClock.now
        while isHeld, ContinuousClock.now - start < limit, !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(50))
        }
        return true
    }
}
