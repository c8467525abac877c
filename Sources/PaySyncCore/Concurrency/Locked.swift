import Synchronization

/// A value behind a lock, as a class so closures can share it (`Mutex` itself is noncopyable and
/// cannot be captured). For small shared state: counters, fake-server records, test logs.
public final class Locked<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>

    public init(_ value: Value) {
        self.mutex = Mutex(value)
    }

    public func withLock<Result: Sendable>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        try mutex.withLock { value in try body(&value) }
    }

    /// A copy of the current value.
    public var value: Value { mutex.withLock { $0 } }
}
