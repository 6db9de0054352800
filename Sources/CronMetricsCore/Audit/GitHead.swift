import Foundation

/// The HEAD commit of the git work tree a folder lives in, read from the
/// repository's files (no `git` process: the server's image need not have
/// one, and a reload must not wait for a child). Handles a `.git` folder or
/// a `.git` file (worktrees, submodules), a branch's loose ref or
/// `packed-refs`, and a detached HEAD. It reads only regular files, and only
/// their first bytes (a FIFO or a device named HEAD cannot stall the reload
/// that holds the registry's lock), and, as git does, looks for `.git` up to
/// the file system's boundary.
public enum GitHead {
    /// The 40-hex commit, or nil when `folder` is not in a git work tree
    /// (or its HEAD points at a branch with no commit yet).
    public static func commit(containing folder: String) -> String? {
        var directory = URL(fileURLWithPath: folder).resolvingSymlinksInPath().standardizedFileURL
        let device = Self.device(directory.path)
        for _ in 0..<64 {
            if let gitDirectory = gitDirectory(at: directory) { return head(gitDirectory) }
            let parent = directory.deletingLastPathComponent()
            guard parent.path != directory.path, Self.device(parent.path) == device else { return nil }
            directory = parent
        }
        return nil
    }

    /// The repository folder of a work tree's `.git` (a folder, or a file naming one).
    private static func gitDirectory(at directory: URL) -> URL? {
        let dotGit = directory.appendingPathComponent(".git")
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dotGit.path, isDirectory: &isFolder) else { return nil }
        if isFolder.boolValue { return dotGit }
        guard let text = read(dotGit, limit: 4096), text.hasPrefix("gitdir:") else { return nil }
        let target = text.dropFirst("gitdir:".count).trimmingCharacters(in: .whitespaces)
        return target.hasPrefix("/") ? URL(fileURLWithPath: target) : directory.appendingPathComponent(target).standardizedFileURL
    }

    private static func head(_ gitDirectory: URL) -> String? {
        guard let head = read(gitDirectory.appendingPathComponent("HEAD"), limit: 4096) else { return nil }
        guard head.hasPrefix("ref:") else { return isCommit(head) ? head : nil }
        let reference = head.dropFirst("ref:".count).trimmingCharacters(in: .whitespaces)
        guard !reference.contains(".."), reference.hasPrefix("refs/") else { return nil }
        // A linked worktree keeps its branches in the main repository (`commondir`).
        var places = [gitDirectory]
        if let common = read(gitDirectory.appendingPathComponent("commondir"), limit: 4096) {
            places.append(common.hasPrefix("/") ? URL(fileURLWithPath: common)
                          : gitDirectory.appendingPathComponent(common).standardizedFileURL)
        }
        for place in places {
            if let loose = read(place.appendingPathComponent(reference), limit: 4096), isCommit(loose) { return loose }
        }
        for place in places {
            guard let packed = read(place.appendingPathComponent("packed-refs"), limit: 64 << 20) else { continue }
            for line in packed.split(separator: "\n") where !line.hasPrefix("#") && !line.hasPrefix("^") {
                let parts = line.split(separator: " ", maxSplits: 1)
                if parts.count == 2, parts[1] == reference, isCommit(String(parts[0])) { return String(parts[0]) }
            }
        }
        return nil
    }

    /// The first `limit` bytes of a regular file (not followed if a symlink), trimmed.
    private static func read(_ url: URL, limit: Int) -> String? {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: url.path),
              attributes[.type] as? FileAttributeType == .typeRegular,
              let handle = FileHandle(forReadingAtPath: url.path) else { return nil }
        defer { try? handle.close() }
        guard let data = try? handle.read(upToCount: limit) else { return nil }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private static func device(_ path: String) -> Int? {
        (try? FileManager.default.attributesOfItem(atPath: path))?[.systemNumber] as? Int
    }

    private static func isCommit(_ text: String) -> Bool {
        (text.count == 40 || text.count == 64) && text.allSatisfy(\.isHexDigit)
    }
}
