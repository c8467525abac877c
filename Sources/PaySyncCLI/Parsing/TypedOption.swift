import PaySyncCore

/// An option that takes a value, declared once with the type it yields: commands read
/// `parsed.value(Options.limit)` and get an `Int`, never a string to look up and convert.
/// The conversion and its "is not …" message live here, next to the option's help.
struct TypedOption<Value: Sendable>: Sendable {
    let spec: OptionSpec
    /// The value, or nil when `text` is not one.
    let convert: @Sendable (String) -> Value?
    /// Completes "--name TEXT …" when `convert` refuses (`is not a positive number`).
    let refusal: String

    init(_ name: String, short: String? = nil, valueName: String, repeatable: Bool = false, help: String,
         refusal: String = "", convert: @escaping @Sendable (String) -> Value?) {
        spec = OptionSpec(name: name, short: short, valueName: valueName, repeatable: repeatable, help: help)
        self.convert = convert
        self.refusal = refusal
    }
}

extension TypedOption where Value == String {
    /// A free-text option (a path, a name).
    init(_ name: String, valueName: String, repeatable: Bool = false, help: String) {
        self.init(name, valueName: valueName, repeatable: repeatable, help: help) { $0 }
    }
}

/// An option without a value.
struct Flag: Sendable {
    let spec: OptionSpec

    init(_ name: String, short: String? = nil, help: String) {
        spec = OptionSpec(name: name, short: short, help: help)
    }
}

extension ParsedArguments {
    /// The option's last value, converted; a usage error naming the option when it does not convert.
    func value<Value>(_ option: TypedOption<Value>, command: String) throws(UsageError) -> Value? {
        guard let text = value(option.spec.name) else { return nil }
        guard let value = option.convert(text) else { throw UsageError(message: "\(option.spec.name) \(text) \(option.refusal)", command: command) }
        return value
    }

    /// Every value of a repeatable option, converted.
    func values<Value>(_ option: TypedOption<Value>, command: String) throws(UsageError) -> [Value] {
        var result: [Value] = []
        for text in all(option.spec.name) {
            guard let value = option.convert(text) else { throw UsageError(message: "\(option.spec.name) \(text) \(option.refusal)", command: command) }
            result.append(value)
        }
        return result
    }

    func isSet(_ flag: Flag) -> Bool { has(flag.spec.name) }
}
