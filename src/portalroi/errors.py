"""The exception tree of portalroi.

Every error the package raises on purpose derives from :class:`PortalRoiError`, so a caller
can catch one class. The tree::

    PortalRoiError
    ├── ConfigError            a setting or option is invalid
    ├── DataError              input data cannot be used
    │   ├── SchemaError        a file's columns do not fit the canonical table
    │   ├── ValidationError    rows or fields break the data model (collects every issue)
    │   └── MappingError       a column-mapping file is invalid
    ├── StoreError             the analytics store cannot be opened or written
    │   └── IngestAbortedError      a load failed part-way and was rolled back
    ├── InputsError            a business-case inputs file is invalid (collects every issue)
    └── NotFoundError          a named object (metric, account, table) does not exist

Each error carries an ``http_status`` so the HTTP API can turn it into one JSON error shape.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "ConfigError",
    "DataError",
    "IngestAbortedError",
    "InputsError",
    "Issue",
    "MappingError",
    "NotFoundError",
    "PortalRoiError",
    "SchemaError",
    "StoreError",
    "ValidationError",
]


@dataclass(frozen=True)
class Issue:
    """One problem found while validating input.

    ``location`` says where: a file name with row and column for data, or a YAML path such as
    ``benefits.deflection.high`` for business-case inputs.
    """

    location: str
    reason: str
    value: object | None = None

    def __str__(self) -> str:
        shown = "" if self.value is None else f" (got {self.value!r})"
        return f"{self.location}: {self.reason}{shown}"


class PortalRoiError(Exception):
    """Base class of every error portalroi raises on purpose."""

    http_status: int = 400


class ConfigError(PortalRoiError):
    """A setting, option or argument is invalid."""


class DataError(PortalRoiError):
    """Input data cannot be used as it is."""

    http_status = 422


class SchemaError(DataError):
    """A file's columns do not fit the canonical table (missing required column, unknown table)."""


class MappingError(DataError):
    """A column-mapping file is invalid."""


class ValidationError(DataError):
    """Input breaks the data model. ``issues`` lists every problem found, not only the first."""

    def __init__(self, message: str, issues: list[Issue] | None = None) -> None:
        self.issues: list[Issue] = list(issues or [])
        detail = "; ".join(str(i) for i in self.issues[:20])
        more = f" (+{len(self.issues) - 20} more)" if len(self.issues) > 20 else ""
        super().__init__(f"{message}: {detail}{more}" if detail else message)


class InputsError(ValidationError):
    """A business-case inputs file is invalid; each issue names its YAML path."""


class StoreError(PortalRoiError):
    """The analytics store cannot be opened or written."""

    http_status = 500


class IngestAbortedError(StoreError):
    """A load failed part-way; the store was rolled back and is exactly as it was before."""


class NotFoundError(PortalRoiError):
    """A named object (metric, account, table, business case) does not exist."""

    http_status = 404
