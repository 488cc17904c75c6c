"""Accounts-receivable export (IBM late-payment sample layout) -> invoices.

=====================  ===================================================
canonical              source
=====================  ===================================================
invoice_id             invoiceNumber
account_id             customerID
issued_at              InvoiceDate (``M/D/YYYY``)
due_at                 DueDate
paid_at                SettledDate
amount                 InvoiceAmount
disputed               Disputed (Yes/No)
delivered_via_portal   PaperlessBill: Electronic -> true, Paper -> false
currency               setting ``currency`` (the export has none)
=====================  ===================================================

countryCode, PaperlessDate, DaysToSettle and DaysLate are kept in ``properties``.
"""

from __future__ import annotations

from portalroi.ingest.adapters._base import Adapter, case_map, overlay
from portalroi.ingest.mapping import Mapping
from portalroi.settings import get_settings

__all__ = ["RECEIVABLES"]

DATE_FORMAT = "%m/%d/%Y"


def build(columns: tuple[str, ...], user: Mapping | None = None) -> Mapping:
    """The mapping for an accounts-receivable export (see the module docstring)."""
    paperless = next((c for c in ("PaperlessBill", "paperlessBill") if c in columns), None)
    base = Mapping(
        table="invoices",
        columns={
            "invoice_id": ("invoiceNumber", "InvoiceNumber", "invoice_number"),
            "account_id": ("customerID", "CustomerID", "customer_id"),
            "issued_at": ("InvoiceDate", "invoiceDate", "invoice_date"),
            "due_at": ("DueDate", "dueDate", "due_date"),
            "paid_at": ("SettledDate", "settledDate", "settled_date"),
            "amount": ("InvoiceAmount", "invoiceAmount", "invoice_amount"),
            "disputed": ("Disputed", "disputed"),
        },
        exprs=(
            {
                "delivered_via_portal": case_map(
                    f'"{paperless}"', {"electronic": "true", "paper": "false"}
                )
            }
            if paperless
            else {}
        ),
        formats=dict.fromkeys(("issued_at", "due_at", "paid_at"), DATE_FORMAT),
        constants={"currency": get_settings().currency},
        consumed=(paperless,) if paperless else (),
    )
    return overlay(base, user)


RECEIVABLES = Adapter(
    name="receivables",
    table="invoices",
    description="Accounts-receivable invoice export (IBM late-payment layout), CSV.",
    reader=lambda path: "csv",
    build=build,
)
