#if canImport(Glibc)
import Glibc
#endif

/// The C allocator's housekeeping.
public enum Allocator {
    #if canImport(Glibc)
    /// glibc's `malloc_trim`, which `malloc.h` declares and the Glibc module
    /// does not import; found at run time.
    private static let trim: (@convention(c) (Int) -> Int32)? = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim")
        .map { unsafeBitCast($0, to: (@convention(c) (Int) -> Int32).self) }
    #endif

    /// Gives the pages of freed memory back to the system. glibc keeps what
    /// a burst of allocations freed (a reload parses every changed file and
    /// builds two tables) for later use, in every thread's arena: after a
    /// cold start that is most of the process's size.
    public static func releaseFreeMemory() {
        #if canImport(Glibc)
        _ = trim?(0)
        #endif
    }
}
