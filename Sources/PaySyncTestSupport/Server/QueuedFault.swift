/// A reply a test queues on a fake, to answer a later matching request in place of the fake's own.
protocol QueuedFault: Sendable {
    var reply: ServerReply { get }
    /// Matching requests to let through first.
    var after: Int { get set }
}

extension Array where Element: QueuedFault {
    /// The reply for a request that `matches` selects: the first matching fault's, once its
    /// `after` matching requests have passed (and then it is used up); nil to serve as usual.
    mutating func take(where matches: (Element) -> Bool) -> ServerReply? {
        guard let index = firstIndex(where: matches) else { return nil }
        if self[index].after > 0 {
            self[index].after -= 1
            return nil
        }
        return remove(at: index).reply
    }
}
