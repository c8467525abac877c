import PaySyncCore

/// The small Stripe account behind `make demo`, beside the Xero organisation and the QuickBooks
/// company: four card payments (one paid with a deal id in its metadata, one declined for
/// insufficient funds, one still processing, one part refunded), a subscription and an open
/// payment link; and the third run's changes: the processing payment succeeds, the first
/// payment is disputed, the link expires.
public enum StripeDemoDataset {
    /// Loads the starting state, created over the days before the demo's morning.
    public static func load(into stripe: FakeStripeServer) {
        stripe.paymentIntent("pi_3QdemoPaid0001", amount: 4_900, metadata: ["crm_deal_id": "deal-1101"], email: "ops@initech.example")
        stripe.paymentIntent("pi_3QdemoDecline02", amount: 12_000, declineCode: "insufficient_funds", email: "buyer@hooli.example")
        stripe.paymentIntent("pi_3QdemoAch000003", amount: 7_500, status: "processing", metadata: ["crm_deal_id": "deal-1103"])
        stripe.paymentIntent("pi_3QdemoRefund004", amount: 3_000, email: "team@vandelay.example")
        stripe.refund("re_3QdemoRefund004", of: "pi_3QdemoRefund004", amount: 1_000)
        stripe.subscription("sub_1QdemoMonthly05")
        stripe.checkoutSession("cs_test_a1demoQuote06", amount: 25_000, reference: "quote-2025-0417")
    }

    /// The third run's changes, at `now` (the demo's pinned clock): events from then on.
    public static func applyLaterChanges(to stripe: FakeStripeServer, at now: Timestamp) {
        let behind = (now.millisecondsSinceEpoch - stripe.now.millisecondsSinceEpoch) / 1000
        if behind > 0 { stripe.advance(seconds: behind) }
        stripe.setPaymentIntent("pi_3QdemoAch000003", status: "succeeded")
        stripe.dispute("du_3QdemoDispute07", of: "pi_3QdemoPaid0001", amount: 4_900)
        stripe.expireCheckoutSession("cs_test_a1demoQuote06")
    }
}
