import Dispatch
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Runs a closure when the process receives SIGTERM, SIGINT or other asynchronous signals, e.g. to call
/// ``HTTPServer/shutdown(gracePeriod:)``.
///
/// A `sigaction` handler (with `SA_RESTART`) writes the signal number to a self-pipe, and a Dispatch read source on
/// that pipe calls the observers on their queues. Unlike a bare Dispatch signal source (signalfd on Linux), this
/// works whichever thread the kernel picks to take the signal, so it does not depend on every thread blocking it.
/// Once installed, the signals no longer have their default action (termination) while the process lives, also
/// after ``cancel()``.
public final class SignalObserver: Sendable {
    private let signals: [Int32]
    private let queue: DispatchQueue
    private let handler: @Sendable (Int32) -> Void
    private let isActive = Atomic<Bool>(true)

    private init(signals: [Int32], queue: DispatchQueue, handler: @escaping @Sendable (Int32) -> Void) {
        self.signals = signals
        self.queue = queue
        self.handler = handler
    }

    /// Starts observing `signals` (default SIGTERM and SIGINT); `handler` receives the signal number, once per
    /// delivered signal, on `queue`. Keep the returned observer; ``cancel()`` stops delivery.
    @discardableResult
    public static func install(signals: [Int32] = [SIGTERM, SIGINT],
                               queue: DispatchQueue = DispatchQueue(label: "gatelog.signals"),
                               handler: @escaping @Sendable (Int32) -> Void) -> SignalObserver {
        let observer = SignalObserver(signals: signals, queue: queue, handler: handler)
        SignalHub.shared.add(observer)
        return observer
    }

    /// Stops calling the handler. The signals stay caught (and are then ignored).
    public func cancel() {
        isActive.store(false, ordering: .releasing)
        SignalHub.shared.remove(self)
    }

    fileprivate func deliver(_ number: Int32) {
        guard isActive.load(ordering: .acquiring), signals.contains(number) else { return }
        let handler = self.handler
        queue.async { handler(number) }
    }

    fileprivate var observedSignals: [Int32] { signals }
}

/// The write end of the self-pipe, read by the async-signal-safe handler.
private let signalPipeWriteFD = Atomic<Int32>(-1)

/// The sigaction handler: only async-signal-safe operations (atomic load, write, errno save/restore).
private func gatelogSignalHandler(_ number: Int32) {
    let saved = errno
    var byte = UInt8(truncatingIfNeeded: number)
    _ = write(signalPipeWriteFD.load(ordering: .relaxed), &byte, 1)
    errno = saved
}

/// Process-wide registry: one pipe, one read source, the installed handlers and the observers.
private final class SignalHub: Sendable {
    static let shared = SignalHub()

    private struct State {
        var readFD: Int32 = -1
        var source: (any DispatchSourceRead)?
        var installed: Set<Int32> = []
        var observers: [SignalObserver] = []
    }

    private let state = Mutex(State())
    private let queue = DispatchQueue(label: "gatelog.signal-hub")

    func add(_ observer: SignalObserver) {
        state.withLock { s in
            if s.readFD < 0 {
                var fds: [Int32] = [-1, -1]
                guard pipe(&fds) == 0 else { return }
                for fd in fds {
                    _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
                    _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
                }
                s.readFD = fds[0]
                signalPipeWriteFD.store(fds[1], ordering: .releasing)
                let source = DispatchSource.makeReadSource(fileDescriptor: fds[0], queue: queue)
                let readFD = fds[0]
                source.setEventHandler { [self] in drain(readFD) }
                source.resume()
                s.source = source
            }
            for number in observer.observedSignals where !s.installed.contains(number) {
                var action = sigaction()
                action.__sigaction_handler.sa_handler = gatelogSignalHandler
                action.sa_flags = SA_RESTART
                sigemptyset(&action.sa_mask)
                sigaction(number, &action, nil)
                s.installed.insert(number)
            }
            s.observers.append(observer)
        }
    }

    func remove(_ observer: SignalObserver) {
        state.withLock { s in s.observers.removeAll { $0 === observer } }
    }

    private func drain(_ fd: Int32) {
        var buffer = [UInt8](repeating: 0, count: 64)
        while true {
            let n = read(fd, &buffer, buffer.count)
            guard n > 0 else { return }
            let observers = state.withLock { $0.observers }
            for byte in buffer[0..<n] {
                for observer in observers { observer.deliver(Int32(byte)) }
            }
        }
    }
}
