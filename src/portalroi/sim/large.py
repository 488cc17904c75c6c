"""The large benchmark data set: >= 100 million portal events, streamed to Parquet.

Accounts are simulated in batches (each with its own staggered roll-out); each batch's
browsing sessions are turned into events and appended to one Parquet file in row groups of
about a million rows (zstd), so memory stays bounded whatever the size. Tickets, invoices and
the other tables are not produced at this size: the set is for event metrics and ingestion
benchmarks. ``accounts.parquet`` and ``users.parquet`` are written beside ``events.parquet`` so
a benchmark can join ``role`` from users.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from portalroi.sim._arrow import arrow_schema
from portalroi.sim.activity import browse_events, events_table
from portalroi.sim.company import Calendar, make_company, make_users
from portalroi.sim.config import SimConfig
from portalroi.sim.simulate import accounts_table, users_table
from portalroi.sim.support import make_articles

__all__ = ["generate_large"]


def generate_large(
    out_dir: Path | str,
    n_events: int = 100_000_000,
    seed: int = 0,
    *,
    accounts_per_batch: int = 200,
    row_group_rows: int = 1 << 20,
    on_progress: Callable[[int], None] | None = None,
) -> dict[str, Any]:
    """Stream exactly ``n_events`` events (and their accounts and users) to Parquet.

    Parameters
    ----------
    out_dir
        Folder for ``events.parquet``, ``accounts.parquet`` and ``users.parquet``.
    n_events
        Events to write.
    seed
        Seed; batch ``b`` uses ``default_rng([seed, b])``.
    accounts_per_batch
        Accounts simulated at a time (about 1-2 million events per batch).
    row_group_rows
        Rows per Parquet row group.
    on_progress
        Called with the number of events written so far after each row group.

    Returns
    -------
    dict
        ``paths`` (by table), ``events``, ``accounts``, ``users``, ``row_groups``.

    Examples
    --------
    >>> import tempfile
    >>> out = generate_large(tempfile.mkdtemp(), n_events=20_000, seed=1)
    >>> out["events"]
    20000
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {t: out / f"{t}.parquet" for t in ("events", "accounts", "users")}
    cfg = SimConfig.preset("large", seed=seed, n_accounts=accounts_per_batch)
    cal = Calendar.of(cfg)
    n_articles = make_articles(cfg, cal, np.random.default_rng(seed)).table.num_rows
    written = n_accounts = n_users = n_sessions = row_groups = 0
    buffer: list[pa.Table] = []
    buffered = 0
    writers = {
        t: pq.ParquetWriter(paths[t], arrow_schema(t), compression="zstd")
        for t in ("events", "accounts", "users")
    }

    def flush(final: bool) -> None:
        nonlocal buffer, buffered, written, row_groups
        if not buffer:
            return
        merged = pa.concat_tables(buffer)
        start = 0
        while merged.num_rows - start >= row_group_rows or (final and start < merged.num_rows):
            chunk = merged.slice(start, row_group_rows)
            writers["events"].write_table(chunk, row_group_size=row_group_rows)
            start += chunk.num_rows
            written += chunk.num_rows
            row_groups += 1
            if on_progress is not None:
                on_progress(written)
        rest = merged.slice(start)
        buffer = [rest] if rest.num_rows else []
        buffered = rest.num_rows

    try:
        batch = 0
        while written + buffered < n_events:
            rng = np.random.default_rng([seed, batch])
            co = make_company(cfg, cal, rng)
            users = make_users(cfg, cal, co, rng)
            cols = browse_events(
                cal,
                user_account=users.account,
                user_role=users.role,
                user_device=users.device,
                user_created=users.created,
                user_activity=users.activity,
                account_live=co.live,
                account_end=co.active_end(cal.n_days),
                n_articles=n_articles,
                rng=rng,
            )
            order = np.argsort(cols["day"], kind="stable")
            take = order[: n_events - written - buffered]
            cols = {k: v[take] for k, v in cols.items()}
            cols["account"] = cols["account"] + n_accounts
            cols["user"] = cols["user"] + n_users
            cols["session"] = cols["session"] + n_sessions
            buffer.append(events_table(cols, cal, first_id=written + buffered + 1, width=10))
            buffered += len(take)
            writers["accounts"].write_table(accounts_table(cfg, cal, co, offset=n_accounts))
            writers["users"].write_table(
                users_table(cal, users, offset=n_users, account_offset=n_accounts)
            )
            n_sessions += int(cols["session"].max() - n_sessions + 1) if len(take) else 0
            n_accounts += co.n
            n_users += users.n
            batch += 1
            flush(final=False)
        flush(final=True)
    finally:
        for w in writers.values():
            w.close()
    return {
        "paths": paths,
        "events": written,
        "accounts": n_accounts,
        "users": n_users,
        "row_groups": row_groups,
    }
