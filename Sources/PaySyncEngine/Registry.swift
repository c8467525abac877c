import PaySyncConnectors
import PaySyncCore
import PaySyncSinks

/// Every provider and sink paysync knows, one line each. This is the only file outside a
/// provider's or sink's own folder that names one: adding a connector is its folder, its fake
/// server, its docs and one line here.
public enum Registry {
    /// Source kinds, in the order `config check` and errors list them.
    public static let sources: [SourceDescriptor] = [
        XeroSource.descriptor,
        QuickBooksSource.descriptor,
        StatementSource.descriptor,
        WiseSource.descriptor,
        StripeSource.descriptor,
        GoCardlessSource.descriptor,
        SquareSource.descriptor,
        PayPalSource.descriptor,
        MollieSource.descriptor,
        AuthorizeNetSource.descriptor,
        BraintreeSource.descriptor,
        AdyenSource.descriptor,
        WorldpaySource.descriptor,
        ZohoBooksSource.descriptor,
        FreshBooksSource.descriptor,
        SageIntacctSource.descriptor,
        OBIESource.descriptor,
        BerlinGroupSource.descriptor,
    ]

    /// Sink kinds.
    public static let sinks: [SinkDescriptor] = [
        JSONLinesSink.descriptor,
        HubSpotSink.descriptor,
        SalesforceSink.descriptor,
        WebhookSink.descriptor,
        SlackSink.descriptor,
        ZohoCRMSink.descriptor,
        DynamicsSink.descriptor,
        PipedriveSink.descriptor,
        MondaySink.descriptor,
    ]

    /// The config readers of every kind, for `ConfigParser`.
    public static var configKinds: ConfigKinds {
        ConfigKinds(sources: sources.map(\.config), sinks: sinks.map(\.config))
    }

    static func source(kind: String) -> SourceDescriptor? { sources.first { $0.kind == kind } }
    static func sink(kind: String) -> SinkDescriptor? { sinks.first { $0.kind == kind } }
}
