import PaySyncCore

/// Reading a wire object's values into canonical ones, the same way for every provider: an
/// amount that does not fit its currency, or a date that is not one, rejects the object with
/// the field's path; empty text is no value.
public enum WireValues {
    /// The amount in `currency`, nil when absent. The field's path is built only when something
    /// is wrong: this runs several times per object.
    public static func money(_ value: WireAmount?, _ currency: Currency, _ field: @autoclosure () -> String) throws(ObjectRejection) -> Money? {
        guard let value else { return nil }
        do { return try Money(parsing: value.text, currency: currency, field: "") } catch {
            var named = error
            named.field = field()
            throw ObjectRejection(named)
        }
    }

    /// A `yyyy-MM-dd` date, nil when absent or empty; present but not a date is a rejection (an
    /// invoice whose due date cannot be read could never become overdue).
    public static func isoDate(_ text: String?, _ field: @autoclosure () -> String) throws(ObjectRejection) -> CalendarDate? {
        guard let text, !text.isEmpty else { return nil }
        guard let date = CalendarDate(iso: text) else { throw ObjectRejection(field: field(), text: text, reason: "\"\(text)\" is not a date") }
        return date
    }

    /// An ISO 8601 instant (with `Z` or an offset), nil when absent or empty; otherwise a rejection.
    public static func isoTimestamp(_ text: String?, _ field: @autoclosure () -> String) throws(ObjectRejection) -> Timestamp? {
        guard let text, !text.isEmpty else { return nil }
        guard let instant = Timestamp(iso: text) else { throw ObjectRejection(field: field(), text: text, reason: "\"\(text)\" is not a time") }
        return instant
    }

    /// The text, or nil when it is absent or empty.
    public static func nonEmpty(_ text: String?) -> String? {
        guard let text, !text.isEmpty else { return nil }
        return text
    }
}
