import PaySyncCore

/// What a run reports as it goes, for a person watching a terminal (`ProgressLine` in the CLI):
/// after each page a source commits, and after each batch a sink sends.
public enum RunProgress: Sendable, Equatable {
    /// A source committed a page of one stream (`account entity`): its objects, the writes it
    /// queued, and how many pages the stream takes where the provider says.
    case page(source: String, stream: String, objects: Int, writesQueued: Int, pagesExpected: Int?)
    /// A sink sent a batch: the writes delivered.
    case delivered(sink: String, writes: Int)
}
