/// "1 object", "2 objects": counts in messages read as English.
public enum Plural {
    /// `count` and `noun`, with `plural` (default: noun + "s") unless the count is one.
    public static func count(_ count: Int, _ noun: String, plural: String? = nil) -> String {
        "\(count) \(count == 1 ? noun : plural ?? noun + "s")"
    }
}
