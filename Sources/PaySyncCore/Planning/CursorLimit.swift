/// The cursor never moves past the clock: an object whose modification time is in the future
/// (a provider's bad data or clock skew) would otherwise move it there, and every later run would
/// ask for changes "since" a time that has not come yet and silently miss what changes meanwhile.
public enum CursorLimit {
    /// The position to store for a page whose last object is `(updatedAt, lastID)`: unchanged,
    /// unless `updatedAt` is after `limit` (the provider's clock when it served the page, else
    /// ours), in which case `(limit, "")` — the empty id sorts before any id, so the next run
    /// re-reads everything from the limit, the future-dated objects included (unchanged, they
    /// write nothing).
    /// - Returns: the position, and whether it was held back.
    public static func position(updatedAt: Timestamp, lastID: String, limit: Timestamp) -> (updatedAt: Timestamp, lastID: String, heldBack: Bool) {
        updatedAt > limit ? (limit, "", true) : (updatedAt, lastID, false)
    }
}
