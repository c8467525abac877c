import PaySyncCore

/// A jsonl sink's settings: where the lines go (`-` for standard output).
public struct JSONLinesSettings: SinkSettings, Equatable {
    public var path: String

    public init(path: String = "-") { self.path = path }

    public var secrets: [SecretRequirement] { [] }

    public var writesToStandardOutput: Bool { path == "-" }
}

extension JSONLinesSink {
    /// The jsonl sink in the registry: `"kind": "jsonl"`.
    public static let descriptor = SinkDescriptor(
        kind: "jsonl", keys: ["path"], objects: .fields(defaults: FieldMappingDefaults.objects), documentation: "docs/sinks/jsonl.md",
        read: { object, path, reader in JSONLinesSettings(path: reader.string(object, "path", at: path) ?? "-") },
        make: { settings, _, context in JSONLinesSink(name: context.name, path: settings.path) }
    )
}

extension SinkConfiguration {
    /// A jsonl sink as the config would describe it (for tests and tools that build configs in code).
    public static func jsonLines(name: String, path: String, objects: [ObjectKind: ObjectMapping] = FieldMappingDefaults.objects) -> SinkConfiguration {
        SinkConfiguration(name: name, kind: JSONLinesSink.descriptor.kind, settings: JSONLinesSettings(path: path), objects: objects)
    }
}
