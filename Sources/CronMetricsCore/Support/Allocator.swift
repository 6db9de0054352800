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
    /// `mallopt`, from `malloc.h` too.
    private static let option: (@convention(c) (Int32, Int32) -> Int32)? = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt")
        .map { unsafeBitCast($0, to: (@convention(c) (Int32, Int32) -> Int32).self) }
    /// `M_ARENA_MAX` in `malloc.h`.
    private static let arenaMax: Int32 = -8
    #endif

    /// Caps the allocator's arenas at one per core (at least 2). glibc's
    /// default is 8 per core, and memory one thread's arena freed cannot be
    /// used by another: at 100,000 jobs the default cost 40 MB of resident
    /// size after a scrape (performance.md). It caps the arenas created after
    /// the call: `serve` makes it first, before the server's threads allocate.
    public static func limitArenas(cores: Int) {
        #if canImport(Glibc)
        _ = option?(arenaMax, Int32(max(2, min(cores, 64))))
        #endif
    }

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
