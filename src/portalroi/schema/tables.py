"""The canonical data model: the tables every source is mapped onto.

Each table is declared as data (a :class:`TableSpec` of :class:`Column` specs) so that the store,
the ingestion validator, the simulator and the generated documentation read the same definition.
Times are UTC timestamps without time zone; money is a double with a ``currency`` column where
a table holds amounts.

Examples
--------
>>> from portalroi.schema import TABLES
>>> TABLES["tickets"].key
'ticket_id'
>>> TABLES["events"].column("event_type").allowed[:3]
('login', 'logout', 'page_view')
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

__all__ = [
    "ACCOUNT_SEGMENTS",
    "EVENT_TYPES",
    "INTERVENTION_KINDS",
    "TABLES",
    "TABLE_NAMES",
    "Column",
    "ColumnType",
    "TableSpec",
]

ColumnType = Literal["VARCHAR", "TIMESTAMP", "DATE", "DOUBLE", "BIGINT", "BOOLEAN", "JSON"]

#: Portal actions the metrics understand. Sources with other names are mapped onto these
#: (the original name is kept in ``feature`` or ``properties``).
EVENT_TYPES: tuple[str, ...] = (
    "login",
    "logout",
    "page_view",
    "feature_use",
    "search",
    "search_click",
    "article_view",
    "ticket_created",
    "ticket_viewed",
    "ticket_updated",
    "self_service_resolved",
    "order_placed",
    "order_tracked",
    "invoice_view",
    "invoice_download",
    "payment",
    "payment_method_change",
    "subscription_change",
    "settings_change",
    "user_invite",
    "report_export",
    "other",
)

ACCOUNT_SEGMENTS: tuple[str, ...] = ("smb", "mid_market", "enterprise")


@dataclass(frozen=True)
class Column:
    """One column of a canonical table.

    Parameters
    ----------
    name
        Column name in the store.
    type
        DuckDB type of the column.
    required
        A row without a value here is quarantined.
    description
        What the field means, shown in the documentation.
    allowed
        The values a text column may take (``None``: free text).
    minimum, maximum
        Inclusive bounds for numbers.
    """

    name: str
    type: ColumnType
    required: bool
    description: str
    allowed: tuple[str, ...] | None = None
    minimum: float | None = None
    maximum: float | None = None


@dataclass(frozen=True)
class TableSpec:
    """A canonical table: its key, its columns and what one row is."""

    name: str
    row_is: str
    key: str
    columns: tuple[Column, ...]
    #: Time column used for date ranges in ``portalroi status`` and metric filters.
    time_column: str
    #: Pairs (column, later_column) where ``later_column`` may not precede ``column``.
    ordered: tuple[tuple[str, str], ...] = field(default=())

    def column(self, name: str) -> Column:
        """Return the column called ``name``; raise ``KeyError`` when there is none."""
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(f"{self.name} has no column {name!r}")

    @property
    def column_names(self) -> tuple[str, ...]:
        """Names of all columns, in order."""
        return tuple(c.name for c in self.columns)

    @property
    def required_columns(self) -> tuple[str, ...]:
        """Names of the columns every row must fill."""
        return tuple(c.name for c in self.columns if c.required)

    def ddl(self, name: str | None = None) -> str:
        """``CREATE TABLE IF NOT EXISTS`` statement for DuckDB."""
        cols = ",\n  ".join(f"{c.name} {c.type}" for c in self.columns)
        return f"CREATE TABLE IF NOT EXISTS {name or self.name} (\n  {cols}\n)"


def _c(
    name: str,
    type_: ColumnType,
    required: bool,
    description: str,
    allowed: tuple[str, ...] | None = None,
    minimum: float | None = None,
    maximum: float | None = None,
) -> Column:
    return Column(name, type_, required, description, allowed, minimum, maximum)


_PROPS = _c(
    "properties",
    "JSON",
    False,
    "Every source field that has no canonical column, kept as a JSON object (never dropped).",
)
_CURRENCY = _c("currency", "VARCHAR", False, "ISO 4217 code of the amounts, e.g. USD, EUR, SEK.")

ACCOUNTS = TableSpec(
    name="accounts",
    row_is="a customer company",
    key="account_id",
    time_column="created_at",
    ordered=(("created_at", "churned_at"),),
    columns=(
        _c("account_id", "VARCHAR", True, "Stable identifier of the customer company."),
        _c("name", "VARCHAR", False, "Display name."),
        _c("segment", "VARCHAR", False, "Size segment.", ACCOUNT_SEGMENTS),
        _c("tier", "VARCHAR", False, "Commercial tier or plan (free text, e.g. gold)."),
        _c("org_id", "VARCHAR", False, "Customer organisation (tenant) the account belongs to."),
        _c("employees", "BIGINT", False, "Head count of the customer company.", minimum=0),
        _c("seats", "BIGINT", False, "Licensed portal seats.", minimum=0),
        _c("created_at", "TIMESTAMP", True, "When the account became a customer (UTC)."),
        _c("acv", "DOUBLE", False, "Annual contract value, in `currency`.", minimum=0),
        _CURRENCY,
        _c("renewal_at", "TIMESTAMP", False, "Next contract renewal date (UTC)."),
        _c(
            "portal_live_at",
            "TIMESTAMP",
            False,
            "Go-live of the portal for this account; empty if never.",
        ),
        _c(
            "churned_at", "TIMESTAMP", False, "When the account left; empty while it is a customer."
        ),
        _PROPS,
    ),
)

USERS = TableSpec(
    name="users",
    row_is="a person at a customer account",
    key="user_id",
    time_column="created_at",
    columns=(
        _c("user_id", "VARCHAR", True, "Stable identifier of the person."),
        _c("account_id", "VARCHAR", True, "Account the person belongs to."),
        _c(
            "role",
            "VARCHAR",
            False,
            "Role in the portal.",
            ("admin", "end_user", "billing", "viewer"),
        ),
        _c("created_at", "TIMESTAMP", False, "When the user was invited or created (UTC)."),
        _c("email_domain", "VARCHAR", False, "Domain part of the e-mail (never the full address)."),
        _PROPS,
    ),
)

EVENTS = TableSpec(
    name="events",
    row_is="one portal action by a user",
    key="event_id",
    time_column="ts",
    columns=(
        _c("event_id", "VARCHAR", True, "Unique id of the event (idempotency key)."),
        _c("ts", "TIMESTAMP", True, "When it happened (UTC)."),
        _c("account_id", "VARCHAR", True, "Account of the acting user."),
        _c("user_id", "VARCHAR", False, "Acting user; empty for anonymous page views."),
        _c("session_id", "VARCHAR", False, "Portal session the event belongs to."),
        _c("event_type", "VARCHAR", True, "What the user did.", EVENT_TYPES),
        _c("feature", "VARCHAR", False, "Portal feature used (e.g. invoices, orders, kb)."),
        _c("device", "VARCHAR", False, "Device class.", ("desktop", "mobile", "tablet")),
        _c("query", "VARCHAR", False, "Search text, on `search` events."),
        _c("result_count", "BIGINT", False, "Results shown, on `search` events.", minimum=0),
        _c("article_id", "VARCHAR", False, "Knowledge-base article, on article events."),
        _c("object_id", "VARCHAR", False, "Ticket, order or invoice the event acts on."),
        _c("amount", "DOUBLE", False, "Money moved, on `order_placed` and `payment`."),
        _PROPS,
    ),
)

TICKETS = TableSpec(
    name="tickets",
    row_is="one support case",
    key="ticket_id",
    time_column="created_at",
    ordered=(
        ("created_at", "first_reply_at"),
        ("created_at", "resolved_at"),
        ("created_at", "closed_at"),
    ),
    columns=(
        _c("ticket_id", "VARCHAR", True, "Identifier in the helpdesk."),
        _c("account_id", "VARCHAR", False, "Requesting account; empty when the helpdesk has none."),
        _c("user_id", "VARCHAR", False, "Requesting user."),
        _c("created_at", "TIMESTAMP", True, "When the case was opened (UTC)."),
        _c("first_reply_at", "TIMESTAMP", False, "First agent reply (UTC)."),
        _c("resolved_at", "TIMESTAMP", False, "When it was marked solved (UTC)."),
        _c("closed_at", "TIMESTAMP", False, "When it was closed (UTC)."),
        _c(
            "channel",
            "VARCHAR",
            True,
            "Where the case came in.",
            ("portal", "email", "phone", "chat", "self_service", "social", "other"),
        ),
        _c("priority", "VARCHAR", False, "Priority.", ("low", "normal", "high", "urgent")),
        _c(
            "status",
            "VARCHAR",
            False,
            "Current state.",
            ("new", "open", "pending", "solved", "closed"),
        ),
        _c("category", "VARCHAR", False, "Helpdesk category or topic."),
        _c("subject", "VARCHAR", False, "Subject line."),
        _c("description", "VARCHAR", False, "First message from the requester."),
        _c("resolution", "VARCHAR", False, "How it was resolved (agent's closing note)."),
        _c("agent_replies", "BIGINT", False, "Number of agent replies (1 = one touch).", minimum=0),
        _c("reopens", "BIGINT", False, "Times the case was reopened.", minimum=0),
        _c(
            "reassignments",
            "BIGINT",
            False,
            "Times the case moved between agents or groups.",
            minimum=0,
        ),
        _c("escalated", "BOOLEAN", False, "Escalated to a higher tier."),
        _c("automated", "BOOLEAN", False, "Resolved by automation (bot, macro) without an agent."),
        _c("sla_met", "BOOLEAN", False, "Resolution SLA met."),
        _c("knowledge_used", "BOOLEAN", False, "A knowledge-base article was used to resolve it."),
        _c("handle_minutes", "DOUBLE", False, "Agent handling time in minutes.", minimum=0),
        _c(
            "cost",
            "DOUBLE",
            False,
            "Fully loaded cost of handling the case, in `currency`.",
            minimum=0,
        ),
        _CURRENCY,
        _c(
            "csat",
            "DOUBLE",
            False,
            "Satisfaction score 1-5 from the case survey.",
            minimum=1,
            maximum=5,
        ),
        _PROPS,
    ),
)

INVOICES = TableSpec(
    name="invoices",
    row_is="one invoice",
    key="invoice_id",
    time_column="issued_at",
    ordered=(("issued_at", "due_at"), ("issued_at", "paid_at")),
    columns=(
        _c("invoice_id", "VARCHAR", True, "Invoice number."),
        _c("account_id", "VARCHAR", True, "Billed account."),
        _c("issued_at", "TIMESTAMP", True, "Invoice date (UTC)."),
        _c("due_at", "TIMESTAMP", False, "Due date (UTC)."),
        _c("paid_at", "TIMESTAMP", False, "Settlement date (UTC); empty while open."),
        _c("amount", "DOUBLE", True, "Invoiced amount, in `currency`."),
        _CURRENCY,
        _c("disputed", "BOOLEAN", False, "The customer disputed the invoice."),
        _c(
            "delivered_via_portal", "BOOLEAN", False, "Delivered electronically through the portal."
        ),
        _c("paid_via_portal", "BOOLEAN", False, "Paid through the portal."),
        _PROPS,
    ),
)

SURVEYS = TableSpec(
    name="surveys",
    row_is="one NPS, CSAT or CES answer",
    key="response_id",
    time_column="ts",
    columns=(
        _c("response_id", "VARCHAR", True, "Identifier of the answer."),
        _c("account_id", "VARCHAR", True, "Account of the respondent."),
        _c("user_id", "VARCHAR", False, "Respondent."),
        _c("ticket_id", "VARCHAR", False, "Ticket the answer rates, for CSAT after a case."),
        _c("ts", "TIMESTAMP", True, "When it was answered (UTC)."),
        _c(
            "kind",
            "VARCHAR",
            True,
            "Survey kind: NPS 0-10, CSAT 1-5, CES 1-7.",
            ("nps", "csat", "ces"),
        ),
        _c("score", "DOUBLE", True, "The answer on the kind's scale.", minimum=0, maximum=10),
        _c("comment", "VARCHAR", False, "Free-text comment."),
        _PROPS,
    ),
)

ORDERS = TableSpec(
    name="orders",
    row_is="one order placed by a customer",
    key="order_id",
    time_column="ts",
    columns=(
        _c("order_id", "VARCHAR", True, "Order number."),
        _c("account_id", "VARCHAR", True, "Ordering account."),
        _c("user_id", "VARCHAR", False, "Ordering user."),
        _c("ts", "TIMESTAMP", True, "When it was placed (UTC)."),
        _c("amount", "DOUBLE", True, "Order value, in `currency`.", minimum=0),
        _CURRENCY,
        _c(
            "channel",
            "VARCHAR",
            True,
            "Where it was placed.",
            ("portal", "email", "phone", "sales_rep", "edi", "other"),
        ),
        _PROPS,
    ),
)

COSTS = TableSpec(
    name="costs",
    row_is="one cost line of the portal",
    key="cost_id",
    time_column="date",
    columns=(
        _c("cost_id", "VARCHAR", True, "Identifier of the cost line."),
        _c("date", "DATE", True, "Date the cost was incurred."),
        _c(
            "category",
            "VARCHAR",
            True,
            "Kind of cost.",
            ("licence", "implementation", "management", "hosting", "content", "other"),
        ),
        _c("amount", "DOUBLE", True, "Amount, in `currency`."),
        _CURRENCY,
        _c("description", "VARCHAR", False, "What the cost was for."),
        _PROPS,
    ),
)

ARTICLES = TableSpec(
    name="articles",
    row_is="one knowledge-base article",
    key="article_id",
    time_column="created_at",
    columns=(
        _c("article_id", "VARCHAR", True, "Identifier of the article in the help centre."),
        _c("title", "VARCHAR", True, "Title shown to customers."),
        _c("body", "VARCHAR", False, "Article text (used to match ticket topics to articles)."),
        _c("category", "VARCHAR", False, "Help-centre section."),
        _c("created_at", "TIMESTAMP", False, "When it was published (UTC)."),
        _PROPS,
    ),
)

#: Kinds of customer-success action an intervention may record.
INTERVENTION_KINDS: tuple[str, ...] = (
    "call",
    "training",
    "qbr",
    "playbook_step",
    "discount",
    "new_article",
    "other",
)

INTERVENTIONS = TableSpec(
    name="interventions",
    row_is="one customer-success action on an account (call, training, QBR, ...)",
    key="intervention_id",
    time_column="occurred_at",
    columns=(
        _c("intervention_id", "VARCHAR", True, "Identifier of the action."),
        _c("account_id", "VARCHAR", True, "Account the action was taken on."),
        _c("kind", "VARCHAR", True, "What was done.", INTERVENTION_KINDS),
        _c("occurred_at", "TIMESTAMP", True, "When it was done (UTC)."),
        _c("owner", "VARCHAR", False, "Who did it (customer-success manager, team)."),
        _c("note", "VARCHAR", False, "Free-text note."),
        _c("alert_id", "VARCHAR", False, "Alert event that prompted it, if one did."),
        _c("reason", "VARCHAR", False, "Risk or reason that prompted it (free text)."),
        _PROPS,
    ),
)

TABLES: dict[str, TableSpec] = {
    t.name: t
    for t in (
        ACCOUNTS,
        USERS,
        EVENTS,
        TICKETS,
        INVOICES,
        SURVEYS,
        ORDERS,
        COSTS,
        ARTICLES,
        INTERVENTIONS,
    )
}
TABLE_NAMES: tuple[str, ...] = tuple(TABLES)
