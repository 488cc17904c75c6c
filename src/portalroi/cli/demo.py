"""``portalroi demo``: simulate a company, write its exports and truth, load them into the store.

The closing headline is built by :func:`demo_headline`; later features add lines to it by
appending a function to :data:`HEADLINE_SECTIONS` (each takes the :class:`DemoSummary` and the
open store and returns Rich-markup lines).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

import typer
from rich.console import Group
from rich.markup import escape
from rich.panel import Panel
from rich.text import Text

from portalroi.cli._common import (
    DbOption,
    JsonOption,
    console,
    exits_cleanly,
    print_json,
    settings_for,
)
from portalroi.errors import ConfigError
from portalroi.store import Store

__all__ = ["HEADLINE_SECTIONS", "DemoSummary", "demo_headline", "register", "run_demo"]


@dataclass
class DemoSummary:
    """What a demo run produced and loaded."""

    size: str
    seed: int
    out_dir: str
    truth: str | None
    db: str
    period: tuple[str, str]
    accounts: int
    accounts_live: int
    accounts_never_live: int
    loaded: dict[str, dict[str, int]] = field(default_factory=dict)


def _roi_section(summary: DemoSummary, store: Store) -> list[str]:
    from portalroi.cli.roi import roi_headline

    return roi_headline(summary, store)


#: Extra headline sections: ``f(summary, store) -> lines`` (Rich markup), shown in order.
HEADLINE_SECTIONS: list[Callable[[DemoSummary, Store], list[str]]] = [_roi_section]


def demo_headline(summary: DemoSummary, store: Store | None = None) -> Group:
    """The short Rich headline printed at the end of ``portalroi demo``.

    Examples
    --------
    >>> s = DemoSummary("tiny", 1, "out", "out/truth.json", "x.duckdb", ("2022-01-01",
    ...     "2024-12-31"), 60, 48, 12, {"tickets": {"rows_read": 5, "inserted": 5,
    ...     "duplicates": 0, "quarantined": 0}})
    >>> from rich.console import Console
    >>> Console(width=100).print(demo_headline(s))  # doctest: +ELLIPSIS
    ╭...
    """
    rows = ", ".join(
        f"{name} {c['inserted']:,}"
        + (f" (+{c['duplicates']:,} already there)" if c["duplicates"] else "")
        for name, c in summary.loaded.items()
    )
    quarantined = sum(c["quarantined"] for c in summary.loaded.values())
    lines = [
        f"[bold]Simulated company[/] ({summary.size}, seed {summary.seed}), "
        f"{summary.period[0]} to {summary.period[1]}",
        f"Accounts: {summary.accounts:,}; portal live at {summary.accounts_live:,}, "
        f"never live at {summary.accounts_never_live:,}",
        f"Loaded into [bold]{escape(str(summary.db))}[/]: {rows}",
        f"Quarantined rows: {quarantined:,}",
        f"Exports: {escape(str(summary.out_dir))}"
        + (f"; truth (true effects): {escape(str(summary.truth))}" if summary.truth else ""),
    ]
    if store is not None:
        for section in HEADLINE_SECTIONS:
            lines.extend(section(summary, store))
    return Group(Panel(Text.from_markup("\n".join(lines)), title="portalroi demo"))


def run_demo(
    *,
    size: Literal["tiny", "default", "large"],
    seed: int,
    out_dir: Path,
    db: Path,
    selection_strength: float | None = None,
    large_events: int = 100_000_000,
    progress: bool = False,
) -> DemoSummary:
    """Simulate, write the data set into ``out_dir`` and ingest every table into ``db``."""
    from portalroi.ingest import ingest_file
    from portalroi.sim import SimConfig, generate_large, simulate, write_dataset

    overrides: dict[str, Any] = {"seed": seed}
    if selection_strength is not None:
        overrides["selection_strength"] = selection_strength
    if size == "large":
        if selection_strength is not None:
            raise ConfigError("--selection-strength applies to the tiny and default sizes only")
        made = generate_large(out_dir, n_events=large_events, seed=seed)
        paths: dict[str, Path] = made["paths"]
        truth_path = None
        cfg = SimConfig.preset("large", seed=seed)
        period = (cfg.start.isoformat(), cfg.end.isoformat())
        counts = (made["accounts"], -1, -1)
    else:
        result = simulate(SimConfig.preset(size, **overrides))
        paths = write_dataset(result, out_dir)
        truth_path = str(paths.pop("truth"))
        ro = result.truth["roll_out"]
        period = (result.truth["period"]["start"], result.truth["period"]["end"])
        counts = (ro["accounts"], ro["accounts_live"], ro["accounts_never_live"])
    summary = DemoSummary(size, seed, str(out_dir), truth_path, str(db), period, *counts)
    with Store(db) as store:
        for name, path in paths.items():
            s = ingest_file(store, path, table=name, progress=progress)
            summary.loaded[name] = {
                "rows_read": s.rows_read,
                "inserted": s.inserted,
                "updated": s.updated,
                "duplicates": s.duplicates,
                "quarantined": s.quarantined,
            }
        if size == "large":
            row = store.con.execute(
                "SELECT count(portal_live_at), count(*) - count(portal_live_at) FROM accounts"
            ).fetchone()
            if row:
                summary.accounts_live, summary.accounts_never_live = int(row[0]), int(row[1])
        from portalroi.alerts import after_refresh

        after_refresh(store, settings_for(db))
    return summary


def demo(
    size: Annotated[
        str,
        typer.Option(
            "--size", help="Data size: default (the demo), large (>= 100M events) or tiny."
        ),
    ] = "default",
    seed: Annotated[int, typer.Option("--seed", help="Random seed; same seed, same data.")] = 42,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", help="Folder for the exports and truth.json (default: setting demo_dir)."
        ),
    ] = None,
    db: DbOption = None,
    selection_strength: Annotated[
        float | None,
        typer.Option(
            "--selection-strength",
            help="How strongly healthier, larger accounts go live first (0 = random order).",
        ),
    ] = None,
    events: Annotated[
        int, typer.Option("--events", help="Events to generate with --size large.")
    ] = 100_000_000,
    as_json: JsonOption = False,
) -> None:
    """Simulate a B2B company with a portal, write its exports and truth, and load them."""
    with exits_cleanly():
        if size not in ("tiny", "default", "large"):
            raise ConfigError(f"--size must be tiny, default or large (got {size!r})")
        if selection_strength is not None and selection_strength < 0:
            raise ConfigError("--selection-strength must be >= 0")
        settings = settings_for(db)
        out_dir = out or settings.demo_dir
        summary = run_demo(
            size=size,  # type: ignore[arg-type]
            seed=seed,
            out_dir=out_dir,
            db=settings.db,
            selection_strength=selection_strength,
            large_events=events,
            # Progress bars only on a terminal: piped or logged output would get a blank line
            # for every transient bar.
            progress=not as_json and console.is_terminal,
        )
        if as_json:
            print_json(asdict(summary))
            return
        with Store(settings.db, read_only=True) as store:
            console.print(demo_headline(summary, store))


def register(app: typer.Typer) -> None:
    """Add the command to the main app."""
    app.command("demo")(demo)
