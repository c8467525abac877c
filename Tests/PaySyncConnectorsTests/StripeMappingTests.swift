import Foundation
import PaySyncCore
import PaySyncTestSupport
import Testing
@testable import PaySyncConnectors

/// Stripe objects: Stripe's own examples (stripe/openapi fixtures) decode and map, every row of
/// the status table in docs/connectors/stripe.md, and amounts in minor units exactly, whatever the
/// currency's decimals.
@Suite struct StripeMappingTests {
    static let at = Timestamp(iso: "2025-05-02T09:00:00Z")!

    static func decode(_ text: String) throws -> StripeObject {
        try JSONDecoder().decode(StripeObject.self, from: Data(text.utf8))
    }

    static func map(_ text: String, account: String = "self") throws -> Observation? {
        try StripeMapping.observation(of: try decode(text), account: account, at: at)
    }

    /// Each example Stripe publishes, as stripe-mock serves it: the kind and status it maps to.
    @Test(arguments: [
        ("payment_intent", "stripe:self:payment:pi_1PgafyB7WZ01zgkWSjxsAJo3", "failed"),  // requires_payment_method after an error
        ("charge", "stripe:self:payment:ch_1PgafuB7WZ01zgkWXYmPNZs8", "pending"),  // succeeded but not captured
        ("refund", "stripe:self:refund:re_1Pgc72B7WZ01zgkWqPvrRrPE", "refunded"),
        ("dispute", "stripe:self:dispute:dp_1Pgc71B7WZ01zgkWMevJiAUx", "disputed"),
        ("invoice", "stripe:self:invoice:in_1Pgc6tB7WZ01zgkWu9fdqL6I", "draft"),
        ("subscription", "stripe:self:subscription:sub_1Pgc6rB7WZ01zgkWNy0Cn5nw", "active"),
    ])
    func stripesOwnExamplesMap(file: String, key: String, status: String) throws {
        let object = try JSONDecoder().decode(StripeObject.self, from: Repository.fixture("stripe/openapi/\(file).json"))
        let observation = try #require(try StripeMapping.observation(of: object, account: "self", at: Self.at))
        #expect(observation.key.description == key)
        #expect(observation.status.rawValue == status)
    }

    @Test func theExampleRefundAndDisputeNameTheirPaymentAsParent() throws {
        for file in ["refund", "dispute"] {
            let object = try JSONDecoder().decode(StripeObject.self, from: Repository.fixture("stripe/openapi/\(file).json"))
            let observation = try #require(try StripeMapping.observation(of: object, account: "self", at: Self.at))
            #expect(observation[text: .parentKey] == "stripe:self:payment:ch_1PgafuB7WZ01zgkWXYmPNZs8", "\(file): its charge, having no PaymentIntent")
        }
    }

    @Test func theExampleEventDecodesAndItsPlanIsOutOfScope() throws {
        let event = try JSONDecoder().decode(StripeEvent.self, from: Repository.fixture("stripe/openapi/event.json"))
        #expect(event.type == "plan.created" && event.created == 1_234_567_890)
        guard case .success(.other("plan")) = event.data.object.result else {
            Issue.record("a plan is read as an object paysync leaves alone: \(event.data.object.result)")
            return
        }
    }

    /// The status table, one row per Stripe state.
    @Test(arguments: [
        (#"{"object":"payment_intent","id":"pi_1","status":"succeeded","amount":500,"amount_received":500,"currency":"usd","created":1}"#, "paid"),
        (#"{"object":"payment_intent","id":"pi_1","status":"processing","amount":500,"currency":"usd","created":1}"#, "pending"),
        (#"{"object":"payment_intent","id":"pi_1","status":"requires_action","amount":500,"currency":"usd","created":1}"#, "pending"),
        (#"{"object":"payment_intent","id":"pi_1","status":"requires_confirmation","amount":500,"currency":"usd","created":1}"#, "pending"),
        (#"{"object":"payment_intent","id":"pi_1","status":"requires_capture","amount":500,"currency":"usd","created":1}"#, "pending"),
        (#"{"object":"payment_intent","id":"pi_1","status":"requires_payment_method","amount":500,"currency":"usd","created":1,"last_payment_error":null}"#, "pending"),
        (#"{"object":"payment_intent","id":"pi_1","status":"requires_payment_method","amount":500,"currency":"usd","created":1,"last_payment_error":{"code":"card_declined","decline_code":"insufficient_funds"}}"#, "failed"),
        (#"{"object":"payment_intent","id":"pi_1","status":"requires_payment_method","amount":500,"currency":"usd","created":1,"last_payment_error":{"code":"expired_card"}}"#, "failed"),
        (#"{"object":"payment_intent","id":"pi_1","status":"canceled","amount":500,"currency":"usd","created":1}"#, "voided"),
        (#"{"object":"payment_intent","id":"pi_1","status":"requires_teleport","amount":500,"currency":"usd","created":1}"#, "unknown:requires_teleport"),
        (#"{"object":"charge","id":"ch_1","status":"succeeded","captured":true,"amount":500,"currency":"usd","created":1,"payment_intent":null}"#, "paid"),
        (#"{"object":"charge","id":"ch_1","status":"pending","amount":500,"currency":"usd","created":1}"#, "pending"),
        (#"{"object":"charge","id":"ch_1","status":"failed","amount":500,"currency":"usd","created":1,"failure_code":"insufficient_funds"}"#, "failed"),
        (#"{"object":"refund","id":"re_1","status":"succeeded","amount":100,"currency":"usd","created":1,"payment_intent":"pi_1"}"#, "refunded"),
        (#"{"object":"refund","id":"re_1","status":"pending","amount":100,"currency":"usd","created":1,"payment_intent":"pi_1"}"#, "pending"),
        (#"{"object":"refund","id":"re_1","status":"requires_action","amount":100,"currency":"usd","created":1,"payment_intent":"pi_1"}"#, "pending"),
        (#"{"object":"refund","id":"re_1","status":"failed","amount":100,"currency":"usd","created":1,"payment_intent":"pi_1"}"#, "failed"),
        (#"{"object":"refund","id":"re_1","status":"canceled","amount":100,"currency":"usd","created":1,"payment_intent":"pi_1"}"#, "voided"),
        (#"{"object":"dispute","id":"dp_1","status":"needs_response","amount":100,"currency":"usd","created":1,"payment_intent":"pi_1"}"#, "disputed"),
        (#"{"object":"dispute","id":"dp_1","status":"under_review","amount":100,"currency":"usd","created":1,"payment_intent":"pi_1"}"#, "disputed"),
        (#"{"object":"dispute","id":"dp_1","status":"warning_needs_response","amount":100,"currency":"usd","created":1,"payment_intent":"pi_1"}"#, "disputed"),
        (#"{"object":"dispute","id":"dp_1","status":"warning_under_review","amount":100,"currency":"usd","created":1,"payment_intent":"pi_1"}"#, "disputed"),
        (#"{"object":"dispute","id":"dp_1","status":"won","amount":100,"currency":"usd","created":1,"payment_intent":"pi_1"}"#, "paid"),
        (#"{"object":"dispute","id":"dp_1","status":"warning_closed","amount":100,"currency":"usd","created":1,"payment_intent":"pi_1"}"#, "paid"),
        (#"{"object":"dispute","id":"dp_1","status":"prevented","amount":100,"currency":"usd","created":1,"payment_intent":"pi_1"}"#, "paid"),
        (#"{"object":"dispute","id":"dp_1","status":"lost","amount":100,"currency":"usd","created":1,"payment_intent":"pi_1"}"#, "refunded"),
        (#"{"object":"invoice","id":"in_1","status":"draft","currency":"usd","created":1,"amount_due":900}"#, "draft"),
        (#"{"object":"invoice","id":"in_1","status":"open","currency":"usd","created":1,"amount_due":900,"amount_paid":0}"#, "sent"),
        (#"{"object":"invoice","id":"in_1","status":"open","currency":"usd","created":1,"amount_due":900,"amount_paid":300,"amount_remaining":600}"#, "partially_paid"),
        (#"{"object":"invoice","id":"in_1","status":"paid","currency":"usd","created":1,"amount_due":900,"amount_paid":900}"#, "paid"),
        (#"{"object":"invoice","id":"in_1","status":"void","currency":"usd","created":1,"amount_due":900}"#, "voided"),
        (#"{"object":"invoice","id":"in_1","status":"uncollectible","currency":"usd","created":1,"amount_due":900}"#, "failed"),
        (#"{"object":"invoice","id":"in_1","deleted":true,"currency":"usd","created":1}"#, "voided"),
        (#"{"object":"subscription","id":"sub_1","status":"trialing","created":1}"#, "trialing"),
        (#"{"object":"subscription","id":"sub_1","status":"active","created":1}"#, "active"),
        (#"{"object":"subscription","id":"sub_1","status":"past_due","created":1}"#, "past_due"),
        (#"{"object":"subscription","id":"sub_1","status":"unpaid","created":1}"#, "past_due"),
        (#"{"object":"subscription","id":"sub_1","status":"paused","created":1}"#, "paused"),
        (#"{"object":"subscription","id":"sub_1","status":"canceled","created":1}"#, "canceled"),
        (#"{"object":"subscription","id":"sub_1","status":"incomplete","created":1}"#, "pending"),
        (#"{"object":"subscription","id":"sub_1","status":"incomplete_expired","created":1}"#, "expired"),
        (#"{"object":"checkout.session","id":"cs_1","status":"open","payment_status":"unpaid","amount_total":500,"currency":"usd","created":1}"#, "pending"),
        (#"{"object":"checkout.session","id":"cs_1","status":"complete","payment_status":"paid","amount_total":500,"currency":"usd","created":1}"#, "paid"),
        (#"{"object":"checkout.session","id":"cs_1","status":"complete","payment_status":"no_payment_required","amount_total":0,"currency":"usd","created":1}"#, "paid"),
        (#"{"object":"checkout.session","id":"cs_1","status":"complete","payment_status":"unpaid","amount_total":500,"currency":"usd","created":1}"#, "pending"),
        (#"{"object":"checkout.session","id":"cs_1","status":"expired","payment_status":"unpaid","amount_total":500,"currency":"usd","created":1}"#, "expired"),
    ])
    func statusTable(json: String, status: String) throws {
        let observation = try #require(try Self.map(json))
        #expect(observation.status.rawValue == status, "\(json)")
    }

    @Test func aFailedPaymentSaysWhy() throws {
        let failed = try #require(try Self.map(#"{"object":"payment_intent","id":"pi_1","status":"requires_payment_method","amount":500,"currency":"usd","created":1,"last_payment_error":{"code":"card_declined","decline_code":"insufficient_funds"}}"#))
        #expect(failed.providerStatus == "requires_payment_method (insufficient_funds)")
    }

    @Test func aChargeMadeByAPaymentIntentIsThatPaymentNotAnother() throws {
        #expect(try Self.map(#"{"object":"charge","id":"ch_1","status":"succeeded","amount":500,"currency":"usd","created":1,"payment_intent":"pi_1"}"#) == nil)
    }

    @Test func metadataIsKeptSortedAndCanKeyARecord() throws {
        let payment = try #require(try Self.map(#"{"object":"payment_intent","id":"pi_1","status":"succeeded","amount":500,"currency":"usd","created":1,"metadata":{"order_id":"A-7","crm_deal_id":"19283"}}"#))
        #expect(payment[text: .metadata] == #"{"crm_deal_id":"19283","order_id":"A-7"}"#)
        let route = KindRoute(fields: FieldSet([.status]), key: [.metadata("crm_deal_id"), .externalID])
        #expect(route.recordKey(for: payment) == "19283")
        let bare = try #require(try Self.map(#"{"object":"payment_intent","id":"pi_2","status":"succeeded","amount":500,"currency":"usd","created":1,"metadata":{}}"#))
        #expect(route.recordKey(for: bare) == "pi_2", "no metadata: the next key source")
    }

    /// Integer minor units, exactly: the guide's very small and very large amounts, a
    /// zero-decimal and a three-decimal currency, and Stripe's two-decimal ISK.
    @Test(arguments: [
        ("usd", Int64(1), "0.01"), ("usd", Int64(9_999_999_999), "99999999.99"), ("jpy", Int64(1), "1"), ("jpy", Int64(120_000), "120000"),
        ("kwd", Int64(1_250), "1.250"), ("isk", Int64(500_000), "5000"), ("ugx", Int64(100), "1"),
    ])
    func amountsAreExact(currency: String, amount: Int64, text: String) throws {
        let payment = try #require(try Self.map(#"{"object":"payment_intent","id":"pi_1","status":"succeeded","amount":\#(amount),"amount_received":\#(amount),"currency":"\#(currency)","created":1}"#))
        #expect(payment.total?.description == "\(text) \(currency.uppercased())", "\(currency) \(amount)")
        #expect(payment.currency?.code == currency.uppercased())
    }

    @Test func anISKAmountThatIsNotWholeKrónurIsRejectedNotRounded() throws {
        #expect(throws: ObjectRejection.self) { try Self.map(#"{"object":"payment_intent","id":"pi_1","status":"succeeded","amount":150,"currency":"isk","created":1}"#) }
        #expect(throws: ObjectRejection.self) { try Self.map(#"{"object":"payment_intent","id":"pi_1","status":"succeeded","amount":150,"currency":"xyz","created":1}"#) }
    }

    @Test func anInvoiceKeepsItsNumberDatesAndSubscription() throws {
        let invoice = try #require(try Self.map(#"""
            {"object":"invoice","id":"in_9","number":"F00D-0042","status":"open","currency":"eur","created":1746000000,"due_date":1748736000,
             "total":12000,"amount_due":12000,"amount_paid":0,"amount_remaining":12000,"customer":"cus_1","customer_email":"ap@acme.example",
             "parent":{"subscription_details":{"subscription":"sub_7"}}}
            """#))
        #expect(invoice.invoiceNumber == "F00D-0042" && invoice.dueDate?.description == "2025-06-01" && invoice.documentDate?.description == "2025-04-30")
        #expect(invoice.due?.description == "120.00 EUR" && invoice.customerEmail == "ap@acme.example" && invoice[text: .subscriptionID] == "sub_7")
    }
}
