"""Names of the app state that need no database code: roles and the default workspace.

Kept apart from :mod:`portalroi.api.appstate.models` (SQLAlchemy) and
:mod:`portalroi.api.appstate.accounts` (argon2) so that the command line can build its
``users`` options without importing either.

Examples
--------
>>> ROLES[0], DEFAULT_TENANT
('admin', 'default')
"""

from __future__ import annotations

__all__ = ["DEFAULT_TENANT", "ROLES"]

#: Roles, from most to least privileged.
ROLES: tuple[str, ...] = ("admin", "analyst", "viewer")
#: Slug of the workspace created on first start; it sees every account of the store.
DEFAULT_TENANT = "default"
