import Testing
@testable import PaySyncCore

@Suite struct PrometheusTextTests {
    @Test func helpAndTypeOnceAndLabelsEscaped() {
        var text = PrometheusText()
        text.gauge("paysync_x", help: "An x.", labels: [("source", #"a "b" \ c"#)], 1)
        text.gauge("paysync_x", help: "An x.", labels: [("source", "line\nbreak")], 2.5)
        text.gauge("paysync_y", help: "A y.", 1_764_000_000)
        #expect(text.text == """
            # HELP paysync_x An x.
            # TYPE paysync_x gauge
            paysync_x{source="a \\"b\\" \\\\ c"} 1
            paysync_x{source="line\\nbreak"} 2.500
            # HELP paysync_y A y.
            # TYPE paysync_y gauge
            paysync_y 1764000000

            """)
    }

    @Test func samplesOfAMetricAreReadBackByLabel() {
        let file = """
            # HELP paysync_source_last_success_timestamp_seconds When.
            # TYPE paysync_source_last_success_timestamp_seconds gauge
            paysync_source_last_success_timestamp_seconds{source="xero-uk"} 1746176400
            paysync_source_last_success_timestamp_seconds{source="qbo"} 1746172800.500
            paysync_other{source="xero-uk"} 3
            """
        #expect(PrometheusText.samples(of: "paysync_source_last_success_timestamp_seconds", label: "source", in: file)
                == ["xero-uk": 1_746_176_400, "qbo": 1_746_172_800.5])
    }
}

@Suite struct LoggerContextTests {
    @Test func jsonLinesCarryTheContextTextLinesDoNot() throws {
        let lines = Locked<[String]>([])
        let base = Logger(minimumLevel: .info, format: .json, now: { Timestamp(iso: "2025-05-02T09:00:00Z")! }, write: { line in lines.withLock { $0.append(line) } })
        let logger = base.with([("run", "7")]).with([("source", "xero-uk"), ("run", "8")])
        logger.info("read", [("pages", "2")])
        let line = try JSONParser.parse(try #require(lines.value.first))
        #expect(line["run"]?.stringValue == "8" && line["source"]?.stringValue == "xero-uk" && line["pages"]?.stringValue == "2")
        #expect(line["message"]?.stringValue == "read")

        let text = Locked<[String]>([])
        Logger(minimumLevel: .info, format: .text, write: { line in text.withLock { $0.append(line) } }).with([("run", "7")]).info("read")
        #expect(text.value == ["paysync: info: read"])
    }
}
