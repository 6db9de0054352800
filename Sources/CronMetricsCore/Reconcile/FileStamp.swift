/// What identifies one version of a file without reading it: if none of these
/// changed, the file is not parsed again.
public struct FileStamp: Hashable, Sendable {
    /// Path relative to the tree's root, `/`-separated.
    public var path: String
    public var size: Int64
    public var modifiedNanoseconds: Int64
    public var inode: UInt64
    public var device: UInt64

    public init(path: String, size: Int64, modifiedNanoseconds: Int64, inode: UInt64, device: UInt64) {
        self.path = path
        self.size = size
        self.modifiedNanoseconds = modifiedNanoseconds
        self.inode = inode
        self.device = device
    }
}
