/// The value of one canonical field, typed as its `FieldSpec` says.
public enum FieldValue: Hashable, Sendable {
    case text(String)
    case money(Money)
    case date(CalendarDate)
    case status(PaymentStatus)
    case currency(Currency)

    /// The canonical text stored in outbox payloads and sent to sinks: statuses by name, money
    /// as exact decimal text, dates as `YYYY-MM-DD`, currencies by ISO code.
    public var canonicalText: String {
        switch self {
        case .text(let text): text
        case .money(let money): money.decimalText
        case .date(let date): date.description
        case .status(let status): status.rawValue
        case .currency(let currency): currency.code
        }
    }

    public var text: String? { if case .text(let text) = self { text } else { nil } }
    public var money: Money? { if case .money(let money) = self { money } else { nil } }
    public var date: CalendarDate? { if case .date(let date) = self { date } else { nil } }
}
