import PaySyncCore

/// How each CRM wants a canonical value on the wire (pure; tested per CRM).
public enum CRMValueFormat {
    /// HubSpot: every property value is a string. Numbers as decimal text (`1250.00`), dates as
    /// epoch milliseconds at midnight UTC (`1714521600000`; HubSpot rejects other times of day),
    /// and an empty string clears a property.
    public static func hubSpot(_ value: String?, type: PropertyType) -> String {
        guard let value else { return "" }
        switch type {
        case .date:
            guard let date = CalendarDate(iso: value) else { return value }
            return String(date.startOfDayUTC.millisecondsSinceEpoch)
        case .number, .text:
            return value
        }
    }

    /// Salesforce, Zoho CRM and Dataverse: numbers and currency as JSON numbers written from the
    /// exact decimal text (`1250.00`, never through a Double), dates as `YYYY-MM-DD`, text as
    /// strings, null clears.
    public static func typedJSON(_ value: String?, type: PropertyType) -> JSONValue {
        guard let value else { return .null }
        switch type {
        case .number:
            return (try? JSONParser.parse(value))?.numberText.map(JSONValue.number) ?? .string(value)
        case .date, .text:
            return .string(value)
        }
    }
}
