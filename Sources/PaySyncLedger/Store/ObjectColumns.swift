import PaySyncCore

/// The `objects` table's columns, derived from the field table (`Field.spec`): the key and
/// ordering columns first, then one column per stored field in `Field.stored` order. The
/// upsert, the reads and the schema check all come from here, so no statement lists columns
/// by hand and no read uses a hand-counted offset.
enum ObjectColumns {
    /// Key and ordering columns, before the fields.
    static let leading = ["provider", "account", "kind", "external_id", "updated_at", "version"]

    /// Every column an observation is read from or written to, in order.
    static let names: [String] = leading + Field.stored.map { $0.spec.column! }

    /// `provider, account, …` for SELECT and INSERT lists.
    static let list = names.joined(separator: ", ")

    /// Columns read per observation.
    static var count: Int32 { Int32(names.count) }

    /// Inserts an object or updates every non-key column; returns its row id.
    static let upsertSQL: String = {
        let placeholders = Array(repeating: "?", count: names.count + 2).joined(separator: ", ")
        let updates = names.dropFirst(4).map { "\($0) = excluded.\($0)" } + ["last_changed_run = excluded.last_changed_run"]
        return """
            INSERT INTO objects (\(list), first_run, last_changed_run) VALUES (\(placeholders))
            ON CONFLICT (provider, account, kind, external_id) DO UPDATE SET \(updates.joined(separator: ", "))
            RETURNING id
            """
    }()

    /// The values of `names` for a state, in order.
    static func values(of state: Observation) -> [SQLValue] {
        var values: [SQLValue] = [
            .text(state.key.provider), .text(state.key.account), .text(state.key.kind.rawValue), .text(state.key.externalID),
            SQLValue(state.updatedAt?.millisecondsSinceEpoch), SQLValue(state.version),
        ]
        values.reserveCapacity(names.count + 2)
        for field in Field.stored {
            switch state[field] {
            case nil:
                // An amount's currency is the observation's: keep it even when only the amount says it.
                if field == .currency, let money = state.total ?? state.paid ?? state.due { values.append(.text(money.currency.code)) }
                else { values.append(.null) }
            case .text(let text)?: values.append(.text(text))
            case .money(let money)?: values.append(.integer(money.minorUnits))
            case .date(let date)?: values.append(.text(date.description))
            case .status(let status)?: values.append(.text(status.rawValue))
            case .currency(let currency)?: values.append(.text(currency.code))
            }
        }
        return values
    }

    /// Reads an observation from `names.count` columns starting at `offset`. `key`, when given,
    /// is the row's key (already known to the caller).
    static func observation(from row: Statement, offset: Int32, key knownKey: ObjectKey? = nil) -> Observation? {
        let key: ObjectKey
        if let knownKey {
            key = knownKey
        } else {
            guard let kind = ObjectKind(rawValue: row.string(offset + 2)) else { return nil }
            key = ObjectKey(provider: row.string(offset), account: row.string(offset + 1), kind: kind, externalID: row.string(offset + 3))
        }
        let first = offset + Int32(leading.count)
        let currency = row.optionalString(first + currencyPosition).flatMap { Currency(code: $0) }
        var storage = [FieldValue?](repeating: nil, count: Field.count)
        for (position, slot, type) in storedLayout {
            let column = first + Int32(position)
            switch type {
            case .text: storage[slot] = row.optionalString(column).map(FieldValue.text)
            case .date: storage[slot] = row.optionalString(column).flatMap { CalendarDate(iso: $0) }.map(FieldValue.date)
            case .status: storage[slot] = .status(PaymentStatus(rawValue: row.string(column)))
            case .currency: storage[slot] = currency.map(FieldValue.currency)
            case .money:
                if let currency, let units = row.optionalInt64(column) { storage[slot] = .money(Money(minorUnits: units, currency: currency)) }
            }
        }
        return Observation(
            key: key,
            updatedAt: row.optionalInt64(offset + 4).map(Timestamp.init(millisecondsSinceEpoch:)),
            version: row.optionalString(offset + 5),
            storage: storage
        )
    }

    /// Each stored field's column position, storage slot and type, read off the table once (this
    /// runs for every object read).
    private static let storedLayout: [(position: Int, slot: Int, type: FieldSpec.ValueType)] =
        Field.stored.enumerated().map { ($0.offset, $0.element.index, $0.element.spec.type) }

    /// The currency column's position among the field columns (amounts need it first).
    private static let currencyPosition = Int32(Field.stored.firstIndex(of: .currency)!)
}
