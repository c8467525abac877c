import PaySyncCore

/// One option a command accepts.
struct OptionSpec: Sendable {
    var name: String            // "--source"
    var short: String?          // "-q"
    var valueName: String?      // "NAME" when it takes a value
    var repeatable = false
    var help: String

    var takesValue: Bool { valueName != nil }
}

/// What a command accepts: options and positional arguments.
struct CommandSpec: Sendable {
    var path: [String]          // ["outbox", "list"]
    var summary: String
    var positionals: [(name: String, help: String)] = []
    var options: [OptionSpec] = []
    var discussion: String = ""

    var name: String { path.joined(separator: " ") }
}

/// The result of parsing: option values by long name, flags, positionals.
struct ParsedArguments: Sendable, Equatable {
    var values: [String: [String]] = [:]
    var flags: Set<String> = []
    var positionals: [String] = []

    func value(_ name: String) -> String? { values[name]?.last }
    func all(_ name: String) -> [String] { values[name] ?? [] }
    func has(_ name: String) -> Bool { flags.contains(name) }
}

/// A command-line mistake: exit 64 with a one-line message that names the fix.
struct UsageError: PaySyncError, Equatable {
    var message: String
    var command: String

    var exitCode: ExitCode { .usage }
    var description: String { "\(message) (see `paysync \(command.isEmpty ? "" : command + " ")--help`)" }
}

enum CommandLineParser {
    /// Options every command takes.
    static let globalOptions: [OptionSpec] = [
        Options.config.spec, Options.ledger.spec, Options.logFormat.spec, Options.logLevel.spec, Options.verbose.spec, Options.now.spec, Options.help.spec,
    ]

    /// Parses `arguments` (after the command words) against `spec` plus the global options.
    static func parse(_ arguments: [String], spec: CommandSpec) throws(UsageError) -> ParsedArguments {
        let options = spec.options + globalOptions
        var parsed = ParsedArguments()
        var index = 0
        var onlyPositionals = false
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if onlyPositionals || !argument.hasPrefix("-") || argument == "-" {
                parsed.positionals.append(argument)
                continue
            }
            if argument == "--" { onlyPositionals = true; continue }
            var name = argument
            var inlineValue: String?
            if argument.hasPrefix("--"), let equals = argument.firstIndex(of: "=") {
                name = String(argument[..<equals])
                inlineValue = String(argument[argument.index(after: equals)...])
            }
            guard let option = options.first(where: { $0.name == name || $0.short == name }) else {
                let known = options.map(\.name)
                throw UsageError(message: "unknown option \(name)\(Suggestion.didYouMean(name, in: known))", command: spec.name)
            }
            if option.takesValue {
                let value: String
                if let inlineValue {
                    value = inlineValue
                } else {
                    guard index < arguments.count, !arguments[index].hasPrefix("--") else {
                        throw UsageError(message: "\(option.name) needs a value (\(option.valueName!))", command: spec.name)
                    }
                    value = arguments[index]
                    index += 1
                }
                if !option.repeatable, parsed.values[option.name] != nil, option.name != Options.config.spec.name, option.name != Options.ledger.spec.name {
                    throw UsageError(message: "\(option.name) given twice", command: spec.name)
                }
                parsed.values[option.name, default: []].append(value)
            } else {
                guard inlineValue == nil else { throw UsageError(message: "\(option.name) takes no value", command: spec.name) }
                parsed.flags.insert(option.name)
            }
        }
        if parsed.isSet(Options.help) { return parsed }
        if parsed.positionals.count > spec.positionals.count {
            let extra = parsed.positionals[spec.positionals.count]
            throw UsageError(message: "unexpected argument \"\(extra)\"", command: spec.name)
        }
        if parsed.positionals.count < spec.positionals.count {
            throw UsageError(message: "missing \(spec.positionals[parsed.positionals.count].name)", command: spec.name)
        }
        return parsed
    }

    /// Help text for a command.
    static func help(for spec: CommandSpec) -> String {
        var text = "OVERVIEW: \(spec.summary)\n\nUSAGE: paysync \(spec.name)"
        for positional in spec.positionals { text += " \(positional.name)" }
        if !spec.options.isEmpty { text += " [options]" }
        text += "\n"
        if !spec.positionals.isEmpty {
            text += "\nARGUMENTS:\n"
            for positional in spec.positionals { text += "  \(pad(positional.name, 24)) \(positional.help)\n" }
        }
        if !spec.options.isEmpty {
            text += "\nOPTIONS:\n"
            for option in spec.options { text += line(option) }
        }
        text += "\nGLOBAL OPTIONS:\n"
        for option in globalOptions { text += line(option) }
        if !spec.discussion.isEmpty { text += "\n" + spec.discussion + "\n" }
        return text
    }

    private static func line(_ option: OptionSpec) -> String {
        var label = option.short.map { "\($0), " } ?? ""
        label += option.name
        if let value = option.valueName { label += " \(value)" }
        if option.repeatable { label += " …" }
        return "  \(pad(label, 24)) \(option.help)\n"
    }

    private static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + "\n" + String(repeating: " ", count: width + 2) : text + String(repeating: " ", count: width - text.count)
    }
}
