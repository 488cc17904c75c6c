"""Compute services shared by the HTTP API and the web dashboard.

The API (:mod:`portalroi.api`) and the dashboard (:mod:`portalroi.web`) are thin shells: they
check who is asking, call a service here and shape the answer (JSON or HTML). Services take a
store (or a scoped view of it) and return typed results; they import neither the API, the web
package nor the CLI, so either shell can change without touching the other (a test guards this).

Modules
-------
:mod:`portalroi.services.versions`
    the store's data version (cache keys never outlive the data).
:mod:`portalroi.services.health`
    health scores, reasons and churn risk of every account.
:mod:`portalroi.services.topics`
    ticket topics and the deflection simulation.
:mod:`portalroi.services.roi`
    effects, facts and cost share of one organisation's accounts.
:mod:`portalroi.services.leadership`
    the figures the leadership report needs besides the ROI report.
"""

from __future__ import annotations
