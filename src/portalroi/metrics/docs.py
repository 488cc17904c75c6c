"""Render the metric reference page (``docs/metrics.md``) from the registry.

A test compares the committed page with :func:`render_markdown`, so the documentation cannot
drift from the definitions.

Examples
--------
>>> "| `dau` |" in render_markdown()
True
"""

from __future__ import annotations

from portalroi.metrics.api import formula_text
from portalroi.metrics.registry import CATEGORIES, METRICS

__all__ = ["render_markdown"]

_INTRO = """<!-- test: store=demo -->

# Metrics

Every metric portalroi reports is declared once in `portalroi.metrics.registry`: a name, a
one-line definition, a unit, a grain, the direction that is good news, and one Ibis formula.
The same formula runs on the embedded DuckDB store, on Spark and on any Ibis warehouse backend.
This page is generated from the registry (`portalroi.metrics.docs.render_markdown`); a test
fails when it drifts.

## Using them

```bash
portalroi metrics list
portalroi metrics show mau --sql
portalroi metrics compute mau --by account --from 2024-01-01 --to 2024-03-31 --format csv
```

```python
from portalroi.metrics import compute, list_metrics
from portalroi.store import Store

with Store("portalroi.duckdb", read_only=True) as store:
    df = compute(store, "stickiness", by="segment", start="2024-01-01")
    names = [m.name for m in list_metrics()]
print(df.head())
```

Every result has its key columns first (period, the `--by` group, and keys such as `feature`
or `channel`), then `value` and the metric's supporting columns (numerators, denominators,
means). `compute` also accepts any Ibis backend that holds the canonical tables, for example
`ibis.pyspark.connect(spark_session)`.

Several metrics that belong together (a report, a dashboard page) are best computed from one
state of the store: inside `snapshot(store)` they read one read-only DuckDB transaction, so a
load committing meanwhile cannot make DAU and MAU disagree, and the rollups' freshness is
checked once instead of once per metric. Every dashboard page, the leadership report, the
HTTP API's analytics results and each alert rule do this.

```python
from portalroi.metrics import compute, snapshot
from portalroi.store import Store

with Store("portalroi.duckdb", read_only=True) as store, snapshot(store):
    frames = {name: compute(store, name) for name in ("dau", "mau", "stickiness")}
print(frames["stickiness"].tail(1))
```

## Conventions

* Times are UTC. A day is `CAST(ts AS DATE)`; a month is the calendar month (first day shown).
* `--from` / `--to` are inclusive days and filter the rows each metric reads (events by `ts`,
  tickets by `created_at`, orders by `ts`, invoices by `issued_at`). Rolling counts also read up
  to 29 days before `--from` so the first days are complete.
* A user is active on a day when they have any event that day. Events without a user are
  left out of every event metric, counts included (search volume, article views, self-service
  resolutions in deflection and the self-service resolution rate): visitors who are not signed
  in are not counted, so with much anonymous help-centre traffic these figures are a lower
  bound. Load such traffic with a stable visitor id in `user_id` to count it.
* Ratios are floats; a ratio whose denominator is 0 is empty (NULL), never an error.
* Counts are 0, not missing, where nothing happened. DAU, WAU, MAU, stickiness, sessions,
  search volume and article views have a row for every day or month from `--from` to `--to`
  (both given; otherwise the periods the result has), and with `--by account`, `segment` or
  `role` a row for every account that was a customer at some time in the range (created on or
  before `--to`, not churned before `--from`), every segment of those accounts and every role
  in `users`, active or not: the accounts that stopped using the portal show 0 instead of
  vanishing from the table (and metric alerts see them fall to 0). A rolling count split by
  group keeps each active group's rows from its first active day. Ratios and counts with a
  further key (ticket volume by channel, the active-days histogram) list only what happened.
* `--by role` joins `users.role`, `--by segment` joins `accounts.segment`; rows whose user or
  account is unknown form an empty group.
* Rates over tickets count only tickets where the field is recorded (NULL means "not
  recorded").
* Durations report the median as `value` (interpolated between the two middle values), with
  the mean and the number of tickets.

## How the hard ones are computed

* **Rolling distinct users (DAU/WAU/MAU)** are exact and use the coverage-interval method over
  the (user, day) activity table: for an active day `d` with previous active day `p`, the user
  is newly inside a `W`-day window on days `[max(d, p + W), d + W)`. A +1 at the start and a -1
  at the end, summed per day and accumulated over a full calendar, gives the distinct count of
  every day, including days without activity. No DISTINCT window function and no range
  self-join is used, so Spark and PostgreSQL accept it, and the cost does not grow with `W`.
* **Session sequences** (search then click, search then ticket) compare the session's earliest
  first-step event with its latest second-step event: "some ticket strictly after some search"
  holds exactly when `max(ticket ts) > min(search ts)`.
* **User sequences within a window** (article then ticket within 7 days) match the two small
  filtered event sets per user with a range join.
* **Activation** uses `accounts.portal_live_at` as go-live, or the account's first event when it
  is empty. An account's users are those in `users` plus any seen in its events. An account
  reached 60 % engagement when `10 × engaged ≥ 6 × users`, where engaged means active on at
  least 3 distinct days in the 90 days from go-live.

## Rollups

The DuckDB store keeps deduplicated activity (user-days, user-months, feature users per month,
help sessions, per-account activation counts) and small results (DAU/WAU/MAU per day, active
users, feature users and retention cells per month, help-to-ticket funnels per month) in
`_rollup_*` tables, current inside every load (an after-load hook). Metrics read them when they
cover as many `events` rows as the table holds and the same `accounts`, and otherwise compute
from the events, so answers do not depend on them (tests compare both paths after every load).
An append-only load is folded in from its new rows alone; anything else rebuilds. The large
sets are kept by the integer keys that ingestion gives each event's ids (internal columns of
`events` such as `_user_k`, with `_key_*` dictionaries); views of the old names
(`_rollup_user_day`, ...) give them with the string ids. Loads through
`portalroi ingest` and the API keep them right; after editing `events` by hand in SQL, run
`portalroi metrics refresh` (and `--rebuild` if rows were updated in place or deleted and
replaced by as many: the per-metric check counts rows and cannot see those). See
[Metric performance](metrics-performance.md) for the tables and the benchmark.
"""


# The formulas are listings of the source, not examples: the docs tests skip them for this reason.
_LISTING = (
    "<!-- test: skip: formula source listing, compared with the code by "
    "tests/metrics/test_docs_cli.py -->"
)


def _table(category: str) -> str:
    lines = [
        "| metric | definition | unit | grain | good | `--by` |",
        "|---|---|---|---|---|---|",
    ]
    for m in METRICS.values():
        if m.category != category:
            continue
        dims = ", ".join(m.dims) or "-"
        lines.append(f"| `{m.name}` | {m.definition} | {m.unit} | {m.grain} | {m.good} | {dims} |")
    return "\n".join(lines)


def render_markdown() -> str:
    """The full metric reference page as Markdown."""
    parts = [_INTRO]
    for category in CATEGORIES:
        parts.append(f"## {category.capitalize()} metrics\n\n{_table(category)}\n")
    parts.append("## Formulas\n")
    for m in METRICS.values():
        parts.append(
            f"### `{m.name}`\n\n{m.definition}\n\n{_LISTING}\n```python\n{formula_text(m.name)}```\n"
        )
    return "\n".join(parts)
