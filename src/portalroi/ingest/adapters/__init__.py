"""Built-in adapters for real export formats, by the name ``--format`` takes.

Each adapter is a small module that declares how the export's columns become a canonical
table's columns (a :class:`~portalroi.ingest.mapping.Mapping`), plus, where needed, SQL
expressions and a pre-aggregation step.

Examples
--------
>>> sorted(ADAPTERS)
['receivables', 'salesforce', 'segment', 'servicenow', 'zendesk']
"""

from __future__ import annotations

from portalroi.ingest.adapters._base import Adapter
from portalroi.ingest.adapters.receivables import RECEIVABLES
from portalroi.ingest.adapters.salesforce import SALESFORCE
from portalroi.ingest.adapters.segment import SEGMENT
from portalroi.ingest.adapters.servicenow import SERVICENOW
from portalroi.ingest.adapters.zendesk import ZENDESK

__all__ = ["ADAPTERS", "Adapter"]

ADAPTERS: dict[str, Adapter] = {
    a.name: a for a in (ZENDESK, SALESFORCE, SERVICENOW, SEGMENT, RECEIVABLES)
}
