import XCTest
import Foundation
import Synchronization
import AuditStore
#if canImport(Glibc)
import Glibc
#endif

/// Background threads are niced one by one: the rest of the process keeps its priority.
final class ThreadPriorityTests: XCTestCase {
    private static func nice() -> Int32 { getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0) }

    func testOnlyTheCallingThreadBecomesBackground() {
        let before = Self.nice()
        let seen = Mutex<(Int32, Int32)?>(nil)
        let done = DispatchSemaphore(value: 0)
        Thread {
            let own = Self.nice()
            ThreadPriority.becomeBackground()
            seen.withLock { $0 = (own, Self.nice()) }
            done.signal()
        }.start()
        done.wait()
        let (own, after) = seen.withLock { $0 }!
        XCTAssertEqual(after, min(own + ThreadPriority.backgroundNiceIncrement, 19), "the background thread is niced")
        XCTAssertEqual(Self.nice(), before, "other threads keep their priority")
    }
}
