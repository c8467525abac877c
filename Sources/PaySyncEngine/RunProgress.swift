import PaySyncCore

/// What a run reports as it goes, for a person watching a terminal (`ProgressLine` in the CLI):
/// after each page a source commits, and after each batch a sink sends.
public enum RunProgress: Sendable, Equatable {
    /// A source committed a page: its objects, and the writes it queued.
    case page(source: String, objects: Int, writesQueued: Int)
    /// A sink sent a batch: the writes delivered.
    case delivered(sink: String, writes: Int)
}
