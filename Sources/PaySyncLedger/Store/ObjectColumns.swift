import PaySyncCore

/// The `objects` table's columns, derived from the field table (`Field.spec`): the key (a scope
/// id for the provider, account and kind, and the provider's id), the ordering columns, then one
/// column per stored field in `Field.stored` order. The inserts, the upsert, the reads and the
/// schema check all come from here, so no statement lists columns by hand and no read uses a
/// hand-counted offset.
enum ObjectColumns {
    /// The key columns: `scope` refers to `scopes (provider, account, kind)`.
    static let key = ["scope", "external_id"]

    /// A state's columns: ordering first, then the fields.
    static let state: [String] = ["updated_at", "version"] + Field.stored.map { $0.spec.column! }

    /// Every column an object is written with, besides its id and run bookkeeping.
    static let names: [String] = key + state

    /// `o.updated_at, o.version, …`: a state, read from `objects o`.
    static let stateList = state.map { "o.\($0)" }.joined(separator: ", ")

    /// `s.provider, s.account, s.kind, o.external_id, o.updated_at, …`: a state with its key, read
    /// from `keyedFrom`.
    static let keyedList = "s.provider, s.account, s.kind, o.external_id, " + stateList

    /// Objects with their scopes, for reads that need the key.
    static let keyedFrom = "objects o JOIN scopes s ON s.id = o.scope"

    /// Columns a keyed read takes.
    static var keyedCount: Int32 { Int32(4 + state.count) }

    /// The columns a new object is inserted with (`MultiRowInsert`): its id, assigned by the
    /// caller, then `names`, then the run bookkeeping. No RETURNING: the ids are known, and a row
    /// that exists after all fails the unique key.
    static let insertColumns = ["id"] + names + ["first_run", "last_changed_run"]

    /// Binds one new object's row at parameter `index` (which moves past it).
    static func bindInsert(_ state: Observation, id: Int64, scope: Int64, runID: Int64, to statement: some ColumnBinder, at index: inout Int32) throws {
        try statement.bind(id, at: index)
        index += 1
        try statement.bind(scope, at: index)
        try statement.bind(state.key.externalID, at: index + 1)
        index += 2
        try bindState(state, to: statement, at: &index)
        try statement.bind(runID, at: index)
        try statement.bind(runID, at: index + 1)
        index += 2
    }

    /// Inserts an object or updates every non-key column; returns its row id.
    static let upsertSQL = upsertSQL { _ in "?" }

    /// The upsert with PostgreSQL's numbered placeholders.
    static let postgresUpsertSQL = upsertSQL { "$\($0)" }

    private static func upsertSQL(placeholder: (Int) -> String) -> String {
        let columns = insertColumns.dropFirst()  // the same columns, the id left to the database
        let placeholders = (1...columns.count).map(placeholder).joined(separator: ", ")
        let updates = state.map { "\($0) = excluded.\($0)" } + ["last_changed_run = excluded.last_changed_run"]
        return """
            INSERT INTO objects (\(columns.joined(separator: ", "))) VALUES (\(placeholders))
            ON CONFLICT (scope, external_id) DO UPDATE SET \(updates.joined(separator: ", "))
            RETURNING id
            """
    }

    /// Binds the upsert's parameters.
    static func bindUpsert(_ state: Observation, scope: Int64, runID: Int64, to statement: some ColumnBinder) throws {
        try statement.bind(scope, at: 1)
        try statement.bind(state.key.externalID, at: 2)
        var index: Int32 = 3
        try bindState(state, to: statement, at: &index)
        try statement.bind(runID, at: index)
        try statement.bind(runID, at: index + 1)
    }

    /// Binds `state`'s columns, in order, from parameter `index` (which moves past them).
    private static func bindState(_ state: Observation, to statement: some ColumnBinder, at index: inout Int32) throws {
        try statement.bind(state.updatedAt?.millisecondsSinceEpoch, at: index)
        try statement.bind(state.version, at: index + 1)
        index += 2
        for field in Field.stored {
            switch state[field] {
            case nil:
                // An amount's currency is the observation's: keep it even when only the amount says it.
                if field == .currency, let money = state.total ?? state.paid ?? state.due { try statement.bind(money.currency.code, at: index) }
                else { try statement.bindNull(at: index) }
            case .text(let text)?: try statement.bind(text, at: index)
            case .money(let money)?: try statement.bind(money.minorUnits, at: index)
            case .date(let date)?: try statement.bind(date.description, at: index)
            case .status(let status)?: try statement.bind(status.rawValue, at: index)
            case .currency(let currency)?: try statement.bind(currency.code, at: index)
            }
            index += 1
        }
    }

    /// Reads an observation of `key` from the `stateList` columns starting at `offset`.
    static func observation(from row: some ColumnReader, offset: Int32, key: ObjectKey) -> Observation {
        let first = offset + 2
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
            updatedAt: row.optionalInt64(offset).map(Timestamp.init(millisecondsSinceEpoch:)),
            version: row.optionalString(offset + 1),
            storage: storage
        )
    }

    /// Reads an observation with its key from the `keyedList` columns starting at `offset`; nil
    /// when the stored kind is not one this paysync knows.
    static func keyedObservation(from row: some ColumnReader, offset: Int32) -> Observation? {
        guard let kind = ObjectKind(rawValue: row.string(offset + 2)) else { return nil }
        let key = ObjectKey(provider: row.string(offset), account: row.string(offset + 1), kind: kind, externalID: row.string(offset + 3))
        return observation(from: row, offset: offset + 4, key: key)
    }

    /// Each stored field's column position, storage slot and type, read off the table once (this
    /// runs for every object read).
    private static let storedLayout: [(position: Int, slot: Int, type: FieldSpec.ValueType)] =
        Field.stored.enumerated().map { ($0.offset, $0.element.index, $0.element.spec.type) }

    /// The currency column's position among the field columns (amounts need it first).
    private static let currencyPosition = Int32(Field.stored.firstIndex(of: .currency)!)
}
