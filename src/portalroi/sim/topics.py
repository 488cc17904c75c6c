"""Repeat-question topics of the simulated helpdesk, with text templates and KB coverage.

Each topic has a few subject, description and resolution templates (``{x}`` is filled with a
topic-specific detail) and the search queries a portal user types about it. Topics with
``covered=True`` have knowledge-base articles; the others are the knowledge gaps, and searches
about them mostly return nothing.

Examples
--------
>>> len(TOPICS) >= 20
True
>>> sum(t.covered for t in TOPICS) < len(TOPICS)
True
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["TOPICS", "Topic"]


@dataclass(frozen=True)
class Topic:
    """One repeat question customers ask support about."""

    key: str
    category: str
    covered: bool
    weight: float
    fcr: float
    minutes: float
    details: tuple[str, ...]
    subjects: tuple[str, ...]
    descriptions: tuple[str, ...]
    resolutions: tuple[str, ...]
    queries: tuple[str, ...]


def _t(
    key: str,
    category: str,
    covered: bool,
    weight: float,
    fcr: float,
    minutes: float,
    details: str,
    subjects: str,
    descriptions: str,
    resolutions: str,
    queries: str,
) -> Topic:
    def split(s: str) -> tuple[str, ...]:
        return tuple(p.strip() for p in s.split("|"))

    return Topic(
        key,
        category,
        covered,
        weight,
        fcr,
        minutes,
        split(details),
        split(subjects),
        split(descriptions),
        split(resolutions),
        split(queries),
    )


TOPICS: tuple[Topic, ...] = (
    _t(
        "password_reset",
        "access",
        True,
        1.6,
        0.9,
        6,
        "my admin account|a new colleague|the finance user",
        "Password reset not working|Cannot log in, forgot password|Reset link expired",
        "Hi, I tried to reset the password for {x} but the reset link in the email has expired. "
        "Can you send a new one?|I cannot log in with {x}. The password reset email never arrives."
        "|Forgot password for {x}, the reset page says the link is invalid.",
        "Sent a new password reset link and confirmed the user could log in.|Cleared the expired "
        "token and reset the password; user logged in.",
        "reset password|forgot password|password link expired",
    ),
    _t(
        "account_locked",
        "access",
        True,
        0.8,
        0.85,
        7,
        "after three attempts|since this morning|for the whole team",
        "Account locked|User locked out|Locked out of the portal",
        "Our account got locked {x} and nobody can sign in.|I am locked out {x}, please unlock.",
        "Unlocked the account and explained the lockout policy.|Removed the lock; advised to use "
        "password reset next time.",
        "account locked|unlock account|locked out",
    ),
    _t(
        "two_factor",
        "access",
        False,
        0.6,
        0.6,
        10,
        "new phone|lost authenticator app|SMS codes",
        "Two-factor authentication problem|2FA codes not accepted|Lost my 2FA device",
        "I changed to a {x} and now two-factor codes are rejected.|Our 2FA with {x} stopped "
        "working, we cannot get in.",
        "Reset the two-factor enrolment after verifying identity.|Disabled 2FA temporarily and "
        "guided re-enrolment.",
        "two factor reset|2fa new phone|authenticator lost",
    ),
    _t(
        "add_user",
        "users",
        True,
        1.2,
        0.9,
        5,
        "two new buyers|our new controller|a temporary contractor",
        "How to add a user|Add new users to our account|Invite colleague",
        "How do I add {x} to our company account?|Please create access for {x}.",
        "Explained how admins invite users under Settings > Users.|Added the user and sent the "
        "invitation; shared the KB article on inviting users.",
        "add user|invite colleague|new user access",
    ),
    _t(
        "sso_setup",
        "users",
        False,
        0.5,
        0.4,
        35,
        "Azure AD|Okta|Google Workspace",
        "SSO configuration|Single sign-on with {x}|SAML setup help",
        "We want to connect the portal to {x} for single sign-on. What metadata do you need?"
        "|SAML login via {x} fails with an invalid audience error.",
        "Exchanged SAML metadata and configured the identity provider.|Fixed the audience URI in "
        "the SSO settings; login works.",
        "sso setup|saml configuration|single sign-on okta",
    ),
    _t(
        "invoice_copy",
        "billing",
        True,
        1.8,
        0.92,
        4,
        "March|last quarter|invoice 4471",
        "Copy of invoice|Need invoice PDF|Resend invoice",
        "Could you send us a copy of the invoice for {x}? Our accounts payable lost it.|"
        "Where can I download the PDF for {x}?",
        "Sent the invoice PDF and showed where invoices can be downloaded in the portal.|"
        "Resent the invoice copy by email.",
        "invoice copy|download invoice pdf|resend invoice",
    ),
    _t(
        "payment_failed",
        "billing",
        True,
        1.1,
        0.7,
        12,
        "the corporate card|the direct debit|last month's payment",
        "Payment failed|Card declined|Payment did not go through",
        "Our payment with {x} failed and we received a reminder.|We tried to pay with {x} but it "
        "was declined.",
        "Retried the payment after the customer updated card details.|Explained the decline "
        "reason and set up a new payment method.",
        "payment failed|card declined|payment error",
    ),
    _t(
        "billing_address",
        "billing",
        True,
        0.7,
        0.9,
        5,
        "our new office|the VAT number|the PO reference",
        "Update billing address|Change company details on invoices|Wrong address on invoice",
        "Please update {x} on our invoices.|The invoices still show the old details, we need "
        "{x} changed.",
        "Updated the billing details and reissued the last invoice.|Changed the address; future "
        "invoices will show it.",
        "change billing address|update vat number|invoice address",
    ),
    _t(
        "credit_note",
        "billing",
        False,
        0.6,
        0.5,
        18,
        "a duplicate charge|a cancelled order|wrong quantity",
        "Credit note request|Refund for overcharge|Need a credit memo",
        "We were charged for {x}, please issue a credit note.|Requesting a credit memo for {x}.",
        "Issued a credit note after finance approval.|Raised the credit memo and applied it to "
        "the open balance.",
        "credit note|refund overcharge|credit memo",
    ),
    _t(
        "tax_exemption",
        "billing",
        False,
        0.4,
        0.55,
        15,
        "our non-profit status|the new certificate|EU reverse charge",
        "Tax exemption certificate|VAT charged incorrectly|Remove sales tax",
        "We should not be charged tax because of {x}. Where do we send the certificate?|"
        "Invoices include VAT although {x} applies.",
        "Recorded the exemption certificate and reissued invoices without tax.|Set the reverse "
        "charge flag on the account.",
        "tax exemption certificate|vat reverse charge|remove sales tax",
    ),
    _t(
        "order_status",
        "orders",
        True,
        1.7,
        0.88,
        6,
        "order 88213|our last order|the rush order",
        "Where is my order|Order status|Has {x} shipped",
        "Can you tell me the status of {x}? We have not received a confirmation.|When will {x} "
        "ship?",
        "Shared the tracking link; order is in transit.|Confirmed shipment and showed order "
        "tracking in the portal.",
        "order status|track order|where is my order",
    ),
    _t(
        "delivery_delay",
        "orders",
        False,
        1.0,
        0.6,
        12,
        "three days|a week|two weeks",
        "Delivery delayed|Late delivery|Shipment is late",
        "Our delivery is {x} late and our site is waiting.|The shipment is delayed by {x}, what "
        "happened?",
        "Checked with the carrier and expedited the shipment.|Explained the delay and offered a "
        "shipping refund.",
        "delivery delayed|late shipment|shipping delay",
    ),
    _t(
        "return_request",
        "orders",
        True,
        0.8,
        0.8,
        9,
        "damaged items|the wrong size|excess stock",
        "Return request|How do I return items|RMA needed",
        "We need to return {x}. How do we get an RMA?|Please arrange a return for {x}.",
        "Created the RMA and sent the return label.|Explained the returns process and issued an "
        "RMA number.",
        "return items|rma request|return label",
    ),
    _t(
        "missing_items",
        "orders",
        False,
        0.6,
        0.6,
        11,
        "two boxes|one pallet|the accessories",
        "Items missing from order|Incomplete delivery|Missing parts",
        "The delivery arrived without {x}.|We are missing {x} from yesterday's delivery.",
        "Shipped the missing items at no charge.|Confirmed short shipment and sent replacements.",
        "missing items|incomplete delivery|parts missing",
    ),
    _t(
        "price_quote",
        "sales",
        True,
        0.7,
        0.75,
        14,
        "500 units|an annual volume deal|the new product line",
        "Request for quote|Pricing question|Need a quote",
        "Could we get a quote for {x}?|What would pricing be for {x}?",
        "Sent the quote from the price list.|Forwarded to the account manager, who sent a quote.",
        "price quote|volume pricing|request quote",
    ),
    _t(
        "plan_change",
        "subscription",
        True,
        0.8,
        0.85,
        8,
        "the premium plan|more seats|the basic plan",
        "Change subscription plan|Upgrade our plan|Add seats",
        "We would like to move to {x}.|How do we switch our subscription to {x}?",
        "Changed the subscription; showed self-service plan changes in the portal.|Upgraded the "
        "plan and prorated the invoice.",
        "change plan|upgrade subscription|add seats",
    ),
    _t(
        "cancel_subscription",
        "subscription",
        False,
        0.3,
        0.5,
        20,
        "at renewal|immediately|for one site",
        "Cancel subscription|Terminate contract|Stop auto-renewal",
        "We want to cancel {x}.|Please stop the subscription {x}.",
        "Processed the cancellation after a retention call.|Confirmed the end date and disabled "
        "auto-renewal.",
        "cancel subscription|terminate contract|stop renewal",
    ),
    _t(
        "contract_renewal",
        "subscription",
        False,
        0.5,
        0.5,
        16,
        "next month|our multi-year deal|the new terms",
        "Contract renewal question|Renewal terms|Renewal pricing",
        "Our contract renews {x}; can we review the terms?|Questions about {x} before renewal.",
        "Walked through the renewal terms with the customer.|Sent the renewal offer.",
        "contract renewal|renewal terms|renewal price",
    ),
    _t(
        "report_export",
        "product",
        True,
        0.9,
        0.85,
        7,
        "the monthly usage report|all invoices|order history",
        "Export report|How to export to Excel|Download data",
        "How can I export {x} to Excel?|The export of {x} times out.",
        "Showed the export button and CSV options.|Ran the export for the customer and shared the "
        "KB article.",
        "export report|export excel|download csv",
    ),
    _t(
        "api_error",
        "integration",
        False,
        0.7,
        0.35,
        40,
        "401 unauthorized|rate limit 429|timeout on /orders",
        "API returns errors|Integration failing|API {x}",
        "Our ERP integration gets {x} from the API since yesterday.|Calls to the API fail with "
        "{x}.",
        "Rotated the API key and confirmed calls succeed.|Raised the rate limit and advised "
        "retries with backoff.",
        "api error|api rate limit|integration failing",
    ),
    _t(
        "data_export_gdpr",
        "compliance",
        False,
        0.3,
        0.5,
        25,
        "a former employee|all contacts|our audit",
        "GDPR data request|Delete personal data|Data processing agreement",
        "Please delete the personal data of {x}.|We need a data export for {x}.",
        "Completed the data subject request.|Sent the DPA and the data export.",
        "gdpr request|delete personal data|data processing agreement",
    ),
    _t(
        "product_defect",
        "product",
        False,
        0.9,
        0.45,
        30,
        "the sensor unit|firmware 2.3|the latest batch",
        "Product defect|Device not working|Fault report",
        "{x} stops working after a few hours.|We see failures with {x}; please advise.",
        "Replaced the unit under warranty.|Escalated to engineering; shipped a fix.",
        "product defect|device fault|firmware problem",
    ),
    _t(
        "notification_settings",
        "product",
        True,
        0.5,
        0.9,
        5,
        "invoice emails|order confirmations|weekly digests",
        "Stop email notifications|Change notification settings|Too many emails",
        "How do we stop {x}?|Can I change who receives {x}?",
        "Showed the notification settings page.|Updated the notification preferences.",
        "notification settings|stop emails|email preferences",
    ),
    _t(
        "usage_question",
        "product",
        True,
        1.0,
        0.85,
        8,
        "the dashboard|bulk upload|saved searches",
        "How does {x} work|Question about {x}|Help with {x}",
        "Can you explain how to use {x}?|I cannot find {x} in the new version.",
        "Explained the feature and linked the guide.|Shared the help article on the feature.",
        "how to use dashboard|bulk upload|saved search",
    ),
)
