"""Portal events: browsing sessions of users, plus the events other tables imply.

Browsing sessions follow working hours and a strong weekly rhythm (weekend sessions are thinned
to 15 %), a month-of-year seasonality, a ramp-up over the first three months after go-live, and
lognormal per-user activity. Each session starts with ``login`` and continues with actions drawn
from a role-specific mix. Linked events tie the portal to the other tables: portal tickets
(``ticket_created``, ``ticket_viewed``), deflected tickets (``search``, ``article_view``,
``self_service_resolved``), portal orders (``order_placed``, ``order_tracked``) and invoices
(``invoice_view``, ``invoice_download``, ``payment``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from portalroi.schema import EVENT_TYPES
from portalroi.sim._arrow import cat, day_of_week, ids, table, ts
from portalroi.sim.company import DEVICES, Calendar
from portalroi.sim.topics import TOPICS

__all__ = [
    "EVENT_INDEX",
    "FEATURES",
    "FEATURE_INDEX",
    "QUERIES",
    "browse_events",
    "concat_events",
    "events_table",
    "linked_session",
]

Arr = np.ndarray[Any, Any]
Cols = dict[str, Arr]

FEATURES: tuple[str, ...] = (
    "auth",
    "dashboard",
    "kb",
    "tickets",
    "orders",
    "billing",
    "subscription",
    "reports",
    "settings",
    "bulk_upload",
    "saved_search",
    "reorder",
    "price_list",
    "approvals",
)
QUERIES: tuple[str, ...] = tuple(q for t in TOPICS for q in t.queries)
_QUERY_FIRST = np.cumsum([0] + [len(t.queries) for t in TOPICS])[:-1]
EVENT_INDEX = {name: i for i, name in enumerate(EVENT_TYPES)}
FEATURE_INDEX = {name: i for i, name in enumerate(FEATURES)}

_BROWSE = (
    "page_view",
    "feature_use",
    "search",
    "search_click",
    "article_view",
    "ticket_viewed",
    "order_tracked",
    "invoice_view",
    "invoice_download",
    "report_export",
    "settings_change",
    "payment_method_change",
    "subscription_change",
    "user_invite",
    "logout",
)
_BROWSE_FEATURE = np.array(
    [
        -1,
        -1,
        FEATURE_INDEX["kb"],
        FEATURE_INDEX["kb"],
        FEATURE_INDEX["kb"],
        FEATURE_INDEX["tickets"],
        FEATURE_INDEX["orders"],
        FEATURE_INDEX["billing"],
        FEATURE_INDEX["billing"],
        FEATURE_INDEX["reports"],
        FEATURE_INDEX["settings"],
        FEATURE_INDEX["billing"],
        FEATURE_INDEX["subscription"],
        FEATURE_INDEX["settings"],
        FEATURE_INDEX["auth"],
    ]
)
_MIX = np.array(
    [  # rows: admin, end_user, billing, viewer
        [0.30, 0.12, 0.06, 0.03, 0.04, 0.04, 0.04, 0.05, 0.03, 0.06, 0.07, 0.02, 0.03, 0.04, 0.07],
        [0.34, 0.16, 0.12, 0.06, 0.08, 0.05, 0.08, 0.02, 0.01, 0.03, 0.01, 0.00, 0.00, 0.00, 0.04],
        [0.30, 0.06, 0.04, 0.02, 0.03, 0.02, 0.02, 0.20, 0.16, 0.06, 0.01, 0.04, 0.01, 0.00, 0.03],
        [0.50, 0.12, 0.10, 0.05, 0.10, 0.03, 0.03, 0.02, 0.01, 0.01, 0.00, 0.00, 0.00, 0.00, 0.03],
    ]
)
_MIX_CUM = np.cumsum(_MIX / _MIX.sum(axis=1, keepdims=True), axis=1)
_EVENTS_PER_SESSION = np.array([5.0, 4.0, 4.0, 2.5])
#: Month-of-year multiplier of portal activity (index 0 unused): summer and Christmas dips.
_SEASON = np.array([1.0, 1.0, 1.0, 1.0, 1.0, 0.95, 0.85, 0.7, 0.8, 1.0, 1.0, 1.0, 0.75])
_TOPIC_W = np.array([t.weight for t in TOPICS]) / sum(t.weight for t in TOPICS)
_COVERED = np.array([t.covered for t in TOPICS])


def _search_results(topic: Arr, rng: np.random.Generator) -> Arr:
    """Result counts: knowledge gaps mostly return nothing."""
    n = len(topic)
    covered = _COVERED[topic]
    zero = rng.random(n) < np.where(covered, 0.05, 0.8)
    hits = np.where(covered, 1 + rng.poisson(6, n), 1 + rng.poisson(1, n))
    return np.where(zero, 0, hits)


def browse_events(
    cal: Calendar,
    *,
    user_account: Arr,
    user_role: Arr,
    user_device: Arr,
    user_created: Arr,
    user_activity: Arr,
    account_live: Arr,
    account_end: Arr,
    n_articles: int,
    rng: np.random.Generator,
) -> Cols:
    """Browsing sessions of the given users; ``session`` numbers start at 0."""
    live = account_live[user_account]
    lo = np.fmax(live, user_created)
    hi = np.minimum(account_end[user_account], cal.n_days)
    span = np.where(np.isnan(lo) | (hi <= lo), 0.0, hi - np.nan_to_num(lo))
    n_sess = rng.poisson(user_activity * span)
    user = np.repeat(np.arange(len(user_account)), n_sess)
    day = np.nan_to_num(lo)[user] + rng.random(len(user)) * span[user]
    month = np.searchsorted(cal.month_start, day, side="right") - 1
    keep_p = (
        np.where(day_of_week(day, cal.start) >= 5, 0.15, 1.0)
        * _SEASON[cal.month_of_year[np.minimum(month, cal.n_months - 1)]]
        * np.minimum(1.0, 0.4 + 0.6 * (day - live[user]) / 90)
    )
    keep = rng.random(len(user)) < keep_p
    user, day = user[keep], day[keep]
    s = len(user)
    hour = np.where(rng.random(s) < 0.5, rng.normal(10.0, 1.8, s), rng.normal(14.5, 2.0, s))
    hour = np.where(rng.random(s) < 0.05, rng.uniform(0, 24, s), np.clip(hour, 0, 23.9))
    day = np.floor(day) + hour / 24
    ok = (day >= lo[user]) & (day < hi[user])
    user, day = user[ok], day[ok]
    s = len(user)
    role = user_role[user]
    k = 1 + rng.poisson(_EVENTS_PER_SESSION[role] - 1)
    session = np.repeat(np.arange(s), k)
    n = len(session)
    first = np.concatenate([[0], np.cumsum(k)[:-1]])
    pos = np.arange(n) - first[session]
    gaps = np.where(pos == 0, 0.0, rng.exponential(50.0, n)) / 86_400
    csum = np.cumsum(gaps)
    t = day[session] + csum - csum[first][session]
    u_ev = user[session]
    ev_role = user_role[u_ev]
    draw = rng.random(n)
    pick = np.zeros(n, dtype=np.int64)
    for r in range(len(_MIX_CUM)):
        sel = ev_role == r
        pick[sel] = np.searchsorted(_MIX_CUM[r], draw[sel], side="right")
    pick = np.minimum(pick, len(_BROWSE) - 1)
    browse_type = np.array([EVENT_INDEX[b] for b in _BROWSE])
    etype = np.where(pos == 0, EVENT_INDEX["login"], browse_type[pick])
    feature = np.where(pos == 0, FEATURE_INDEX["auth"], _BROWSE_FEATURE[pick])
    free = feature < 0
    feature[free] = rng.choice(np.array([1, 9, 10, 11, 12, 13]), size=int(free.sum()))
    device = np.where(rng.random(s) < 0.85, user_device[user], rng.integers(0, 3, s))[session]
    query = np.full(n, -1)
    result = np.full(n, -1)
    srch = np.flatnonzero(etype == EVENT_INDEX["search"])
    topic = rng.choice(len(TOPICS), size=len(srch), p=_TOPIC_W)
    query[srch] = _QUERY_FIRST[topic] + rng.integers(0, 3, len(srch))
    result[srch] = _search_results(topic, rng)
    article = np.full(n, -1)
    if n_articles > 0:
        art_ev = np.flatnonzero(
            (etype == EVENT_INDEX["article_view"]) | (etype == EVENT_INDEX["search_click"])
        )
        article[art_ev] = rng.integers(0, n_articles, len(art_ev))
    return {
        "account": user_account[u_ev],
        "user": u_ev,
        "day": t,
        "session": session,
        "etype": etype,
        "feature": feature,
        "device": device,
        "query": query,
        "result": result,
        "article": article,
        "obj_kind": np.zeros(n, dtype=np.int64),
        "obj_num": np.zeros(n, dtype=np.int64),
        "amount": np.full(n, np.nan),
    }


def linked_session(
    steps: list[tuple[str, Arr]],
    *,
    account: Arr,
    user: Arr,
    device: Arr,
    session0: int,
    extra: dict[str, list[Arr]] | None = None,
) -> Cols:
    """One session per row: a login two minutes before the first step, then each step.

    ``steps`` are (event type, day) pairs; ``extra`` gives per-step columns (query, result,
    article, obj_kind, obj_num, amount, feature), each a list aligned with ``steps``.
    """
    n = len(account)
    session = session0 + np.arange(n)
    parts: list[Cols] = []
    first_day = steps[0][1]
    cols_extra = extra or {}
    for i, (name, day) in enumerate([("login", first_day - 2 / 1440), *steps]):
        col: Cols = {
            "account": account,
            "user": user,
            "day": day,
            "session": session,
            "etype": np.full(n, EVENT_INDEX[name]),
            "device": device,
            "query": np.full(n, -1),
            "result": np.full(n, -1),
            "article": np.full(n, -1),
            "obj_kind": np.zeros(n, dtype=np.int64),
            "obj_num": np.zeros(n, dtype=np.int64),
            "amount": np.full(n, np.nan),
            "feature": np.full(
                n, FEATURE_INDEX["auth"] if name == "login" else FEATURE_INDEX["kb"]
            ),
        }
        if i > 0:
            for key, values in cols_extra.items():
                col[key] = values[i - 1]
        parts.append(col)
    return concat_events(parts)


def concat_events(parts: list[Cols]) -> Cols:
    """Concatenate event column sets."""
    return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}


def events_table(cols: Cols, cal: Calendar, *, first_id: int = 1, width: int = 9) -> pa.Table:
    """The canonical events table of column arrays (rows in the given order)."""
    n = len(cols["day"])
    obj = np.full(n, None, dtype=object)
    for kind, prefix, w in ((1, "T", 7), (2, "O", 7), (3, "INV", 6)):
        sel = np.flatnonzero(cols["obj_kind"] == kind)
        if len(sel):
            obj[sel] = ids(prefix, cols["obj_num"][sel], w).to_numpy(zero_copy_only=False)
    amount = cols["amount"]
    return table(
        "events",
        {
            "event_id": ids("E", np.arange(first_id, first_id + n), width),
            "ts": ts(cols["day"], cal.start),
            "account_id": _dict_ids("A", cols["account"], 5),
            "user_id": _dict_ids("U", cols["user"], 6),
            "session_id": _dict_ids("S", cols["session"], 8),
            "event_type": cat(EVENT_TYPES, cols["etype"]),
            "feature": cat(FEATURES, np.maximum(cols["feature"], 0), cols["feature"] < 0),
            "device": cat(DEVICES, cols["device"]),
            "query": cat(QUERIES, np.maximum(cols["query"], 0), cols["query"] < 0),
            "result_count": pa.array(cols["result"], pa.int64(), mask=cols["result"] < 0),
            "article_id": _article_ids(cols["article"]),
            "object_id": pa.array(obj, pa.string()),
            "amount": pa.array(amount, pa.float64(), mask=np.isnan(amount)),
        },
        n,
    )


def _dict_ids(prefix: str, numbers: Arr, width: int) -> pa.Array:
    """``ids(prefix, numbers + 1)`` built once per distinct number, then taken (much faster)."""
    if not len(numbers):
        return pa.array([], pa.string())
    low = int(numbers.min())
    labels = ids(prefix, np.arange(low + 1, int(numbers.max()) + 2), width)
    return pa.DictionaryArray.from_arrays(pa.array((numbers - low).astype(np.int32)), labels).cast(
        pa.string()
    )


def _article_ids(article: Arr) -> pa.Array:
    arr = ids("kb", np.maximum(article, 0) + 1, 4)
    return pc.if_else(pa.array(article < 0), pa.scalar(None, pa.string()), arr)
