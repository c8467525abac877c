extension CoalescedWrite {
    /// The write as one JSON line (no trailing newline), the format of the jsonl sink, of dry
    /// runs' planned writes and of `--format json` (`docs/sinks/jsonl.md`).
    public func jsonLine(sink: String) -> String {
        let write = self
        var text = "{\"sink\":"
        JSONWriter.appendQuoted(sink, into: &text)
        text += ",\"record\":"
        JSONWriter.appendQuoted(write.recordKey, into: &text)
        text += ",\"object\":"
        JSONWriter.appendQuoted(write.objectKey.description, into: &text)
        text += ",\"from\":"
        if let from = write.fromStatus { JSONWriter.appendQuoted(from.rawValue, into: &text) } else { text += "null" }
        text += ",\"to\":"
        JSONWriter.appendQuoted(write.toStatus.rawValue, into: &text)
        text += ",\"changes\":{"
        for (index, change) in write.changes.enumerated() {
            if index > 0 { text += "," }
            JSONWriter.appendQuoted(change.field.rawValue, into: &text)
            text += ":{\"old\":"
            if let old = change.old { JSONWriter.appendQuoted(old, into: &text) } else { text += "null" }
            text += ",\"new\":"
            if let new = change.new { JSONWriter.appendQuoted(new, into: &text) } else { text += "null" }
            text += "}"
        }
        text += "}"
        if let action = write.action {
            text += ",\"action\":{\"kind\":"
            JSONWriter.appendQuoted(action.kind, into: &text)
            text += ",\"subject\":"
            if let subject = action.subject { JSONWriter.appendQuoted(subject, into: &text) } else { text += "null" }
            text += ",\"body\":"
            if let body = action.body { JSONWriter.appendQuoted(body, into: &text) } else { text += "null" }
            text += "}"
        }
        return text + "}"
    }
}
