import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Scheduling priority of gatelog's background threads. Work that nobody waits for (index
/// maintenance, dictionary training) runs niced, so on a busy machine the CPU goes first to
/// what callers wait for: queries and the acknowledgement of appends.
public enum ThreadPriority {
    /// How much nicer than the process a background thread runs (Linux `nice` steps: +5 gets
    /// about a third of the CPU share of a thread at the process's own level when both compete).
    public static let backgroundNiceIncrement: Int32 = 5

    /// Lowers the calling thread's priority for background work. Linux schedules threads
    /// individually, so this leaves the rest of the process alone (checked by a test). Best
    /// effort: a failure is ignored.
    public static func becomeBackground() {
        #if os(Linux)
        // `who` 0 is the calling thread: Linux keeps the nice value per thread (setpriority(2), NOTES).
        let tid: id_t = 0
        errno = 0
        let current = getpriority(__priority_which_t(PRIO_PROCESS.rawValue), tid)
        guard errno == 0 else { return }
        _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), tid, min(current + backgroundNiceIncrement, 19))
        #endif
    }
}
