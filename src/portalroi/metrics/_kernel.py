"""The compiled rebuild of the integer-keyed rollups: one streamed read of ``events``.

:func:`rebuild` reads the time and the five key columns (account, user, session, event type,
feature) of the events with a user once, as stored, in batches that DuckDB decodes in a thread
while a Numba kernel (``nogil``) folds the last batch into

* a day x user grid of event counts (``uint16``),
* a day x event type count table,
* a month x user bitmask of the features used (``uint64``: at most 64 features in
  ``feature_use`` events, each given a bit as the pass meets it),
* per session the first search, first article view and last ticket,
* each user's account.

Numba is imported, and the compiled code loaded from its cache, in a thread while DuckDB
answers the first queries and starts the read. Every rollup table of
:mod:`portalroi.metrics._rollup_sql` (its ``DDL``) is then derived from these arrays in
compiled code or numpy, each big input freed as soon as its outputs are made, and written with
``_rollup_sql.create_tables`` (``CREATE OR REPLACE TABLE``) and ``INSERT ... SELECT`` from
Arrow by a writer thread, in order, while the next tables are derived (:class:`_Writer`). The
rows are those of the SQL rebuild, ids replaced by their keys.

When the arrays cannot hold the data (a user with two accounts, more than 65,535 events by one
user on one day, more than 64 features used in ``feature_use`` events, arrays past
:data:`MAX_ARRAY_BYTES`, no keyed events, unkeyed rows, a key missing or outside its
dictionary, a time missing) :func:`rebuild` writes nothing and returns ``False``: the caller
then runs the SQL rebuild.

While it runs, DuckDB's ``memory_limit`` is held to :data:`DUCKDB_MEMORY`, and
``preserve_insertion_order`` is off for the read and on for the writes; both are restored.
"""

from __future__ import annotations

import queue
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar, cast

import duckdb
import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from portalroi.metrics import _rollup_sql as sql

__all__ = ["MAX_ARRAY_BYTES", "MAX_FEATURES", "array_bytes", "rebuild"]

#: Most memory the kernel's arrays may take (:func:`array_bytes`), checked before the pass
#: (its arrays) and after it (with those derived from the user-days and the feature
#: triples it found); beyond, the SQL rebuild
#: runs, within DuckDB's ``memory_limit``. At 100M events (730 days, 194,013 users, 12.5M
#: sessions) they take 621 MB for the pass and 969 MB with the derived ones, and the process
#: peaks at 1.3-1.4 GB.
MAX_ARRAY_BYTES = 1_500_000_000
#: Features a month x user bitmask can hold: those of ``feature_use`` events, each given a bit
#: when the pass first meets it (the dictionary may name more, on other event types).
MAX_FEATURES = 64
#: DuckDB's ``memory_limit`` while the kernel runs, where the store's is higher (restored after):
#: DuckDB keeps the events' blocks it reads cached up to its limit, beside the kernel's arrays
#: (100M events, limit 1GB: 2.2 GB peak RSS).
DUCKDB_MEMORY = "256MB"
#: Rows per batch of the streamed read.
BATCH_ROWS = 1 << 20
#: Decoded batches the read may hold before the pass takes them (28 MB a batch): DuckDB
#: starts decoding while the compiled code loads, but 8 made no clear difference in time at
#: 100M events and raised the peak RSS by up to 150 MB.
PREFETCH_BATCHES = 2
#: Rows per batch of a table written (whole row groups of 122,880 rows).
WRITE_ROWS = 8 * 122_880

US_DAY = 86_400_000_000
_NONE_MIN = np.iinfo(np.int64).max  # "no first search / article" (a min over nothing)
_NONE_MAX = np.iinfo(np.int64).min  # "no ticket" (a max over nothing)

_READ = (
    # the stored columns as they are: expressions here (coalesce, epoch_us) cost DuckDB 0.5 s
    # of 2.9 s at 100M events; a batch's NULLs are handled in Python instead (_numpy)
    "SELECT ts, _account_k, _user_k, _session_k, _type_k, _feature_k "
    "FROM events WHERE _user_k IS NOT NULL"
)
#: What a NULL of time, account, user or type reads as: a value the pass refuses (it then
#: falls back). Session and feature (NULL for most events) come with their validity bitmaps.
_NO_TIME = -9223372036854775807
#: "No NULLs" for a bitmap argument of the pass (read-only, as Arrow's buffers are).
_NO_BITS = np.zeros(0, np.uint8)
_NO_BITS.flags.writeable = False


def _values(column: pa.Array, null_as: int) -> _Arr:
    """``column`` as numpy, NULLs as ``null_as`` (no copy when it has none)."""
    if column.null_count:
        column = pc.coalesce(column, pa.scalar(null_as, column.type))
    values: _Arr = column.to_numpy()
    return values


def _nullable(column: pa.Array) -> tuple[_Arr, _Arr]:
    """``column``'s values and validity bitmap (:data:`_NO_BITS` when it has no NULLs), both
    Arrow's buffers, not copied: filling the NULLs allocates 4 MB a batch, and the freed
    memory stays in the process (reading 100M events alone: peak RSS 607 MB filled, 489 MB
    not)."""
    if not column.null_count:
        return column.to_numpy(), _NO_BITS
    if column.offset:  # a slice: not from DuckDB's batches, but handled
        return _values(column, -1), _NO_BITS
    validity, data = column.buffers()
    assert validity is not None
    assert data is not None
    values = np.frombuffer(data, np.int32, len(column))
    bits = np.frombuffer(validity, np.uint8)
    # read-only, as to_numpy's arrays: the pass is compiled (and cached) for that type
    values.flags.writeable = bits.flags.writeable = False
    return values, bits


def _numpy(batch: pa.RecordBatch) -> list[_Arr]:
    """The pass's arguments for a batch of :data:`_READ`: time (epoch microseconds), account,
    user, session, type and feature keys, then the session's and the feature's bitmaps."""
    ts, acc, usr, ses, typ, fea = batch.columns
    assert ts.type == pa.timestamp("us"), ts.type
    assert all(c.type == pa.int32() for c in (acc, usr, ses, typ, fea))
    ses_k, ses_bits = _nullable(ses)
    fea_k, fea_bits = _nullable(fea)
    return [_values(ts.view(pa.int64()), _NO_TIME), _values(acc, -1), _values(usr, -1), ses_k,
            _values(typ, -1), fea_k, ses_bits, fea_bits]  # fmt: skip


# conflict flags set by the pass
_TWO_ACCOUNTS, _OVERFLOW, _BAD_KEY, _FEATURES = 0, 1, 2, 3


# -- compiled code ---------------------------------------------------------------------------

_Arr = npt.NDArray[Any]
_F = TypeVar("_F", bound=Callable[..., Any])


#: The functions to compile, in the order :func:`_load` loads them (``_pass`` first), and
#: each one's compiled version once loaded.
_COMPILE: list[Callable[..., Any]] = []
_JITTED: dict[Callable[..., Any], Callable[..., Any]] = {}
_LOADING = threading.Lock()


def _jit(fn: _F) -> _F:
    """Mark ``fn`` to be compiled, ``numba.njit(cache=True, nogil=True)``, by :func:`_load`
    (Numba is imported there, in a thread, only when a rebuild runs)."""
    _COMPILE.append(fn)
    return fn


def _c(fn: _F) -> _F:
    """The compiled ``fn`` (loaded by :func:`_load`), with ``fn``'s signature."""
    return cast(_F, _JITTED[fn])


@_jit
def _pass(
    ts: _Arr, acc: _Arr, usr: _Arr, ses: _Arr, typ: _Arr, fea: _Arr, ses_bits: _Arr,
    fea_bits: _Arr, day0: int, sizes: _Arr,
    types: _Arr, month_of_day: _Arr, grid: _Arr, day_type: _Arr, user_acc: _Arr, fmask: _Arr,
    first_search: _Arr, first_article: _Arr, last_ticket: _Arr, conflict: _Arr, tally: _Arr,
    feature_bit: _Arr, bit_feature: _Arr,
) -> None:  # fmt: skip
    """Fold one batch into the arrays; ``sizes`` = (days, accounts, users, sessions, types,
    features), ``types`` = keys of (search, article_view, ticket_created, feature_use);
    ``ses_bits`` and ``fea_bits`` are Arrow validity bitmaps (empty: no NULLs), a NULL session
    or feature reads as -1; ``tally[0]`` counts the user-days (cells of the grid set),
    ``tally[1]`` the bits given to features (``feature_bit`` by feature key, -1 for none yet;
    ``bit_feature`` the other way)."""
    nd, na, nu, ns, nt, nf = sizes[0], sizes[1], sizes[2], sizes[3], sizes[4], sizes[5]
    t_search, t_article, t_ticket, t_feature = types[0], types[1], types[2], types[3]
    for i in range(ts.shape[0]):
        d = ts[i] // 86_400_000_000 - day0
        u = usr[i]
        a = acc[i]
        t = typ[i]
        s = ses[i]
        if ses_bits.shape[0] and not (ses_bits[i >> 3] >> (i & 7)) & 1:
            s = -1
        f = fea[i]
        if fea_bits.shape[0] and not (fea_bits[i >> 3] >> (i & 7)) & 1:
            f = -1
        if (
            d < 0 or d >= nd or u < 0 or u >= nu or a < 0 or a >= na or t < 0 or t >= nt
            or s < -1 or s >= ns or f < -1 or f >= nf
        ):  # fmt: skip
            conflict[_BAD_KEY] = 1
            return
        c = grid[d, u]
        if c == 65535:
            conflict[_OVERFLOW] = 1
            return
        grid[d, u] = c + 1
        if c == 0:
            tally[0] += 1
        day_type[d, t] += 1
        if user_acc[u] < 0:
            user_acc[u] = a
        elif user_acc[u] != a:
            conflict[_TWO_ACCOUNTS] = 1
            return
        if t == t_feature:
            if f >= 0:
                b = feature_bit[f]
                if b < 0:
                    b = tally[1]
                    if b == bit_feature.shape[0]:  # MAX_FEATURES bits given
                        conflict[_FEATURES] = 1
                        return
                    feature_bit[f] = b
                    bit_feature[b] = f
                    tally[1] = b + 1
                fmask[month_of_day[d], u] |= np.uint64(1) << np.uint64(b)
        elif s >= 0:
            if t == t_search:
                first_search[s] = min(first_search[s], ts[i])
            elif t == t_article:
                first_article[s] = min(first_article[s], ts[i])
            elif t == t_ticket:
                last_ticket[s] = max(last_ticket[s], ts[i])


@_jit
def _help(
    first_search: _Arr,
    first_article: _Arr,
    last_ticket: _Arr,
    day0: int,
    month_of_day: _Arr,
    n_months: int,
) -> tuple[_Arr, _Arr]:
    """Help sessions in session order, and per kind (0 help, 1 search) and month the sessions
    and those with a later ticket. The help sessions' times are moved to the front of the
    three arrays, in place (no copy of arrays as long as the sessions)."""
    none_min = np.iinfo(np.int64).max
    none_max = np.iinfo(np.int64).min
    n = 0
    for s in range(first_search.shape[0]):
        if (
            first_search[s] != none_min
            or first_article[s] != none_min
            or (last_ticket[s] != none_max)
        ):
            n += 1
    rs = np.empty(n, np.int32)
    counts = np.zeros((2, n_months, 2), np.int64)
    k = 0
    for s in range(first_search.shape[0]):
        fs = first_search[s]
        fa = first_article[s]
        lt = last_ticket[s]
        if fs == none_min and fa == none_min and lt == none_max:
            continue
        rs[k] = s
        first_search[k] = fs
        first_article[k] = fa
        last_ticket[k] = lt
        k += 1
        for kind in range(2):
            first = min(fs, fa) if kind == 0 else fs
            if first != none_min:
                m = month_of_day[first // 86_400_000_000 - day0]
                counts[kind, m, 0] += 1
                counts[kind, m, 1] += lt > first
    return rs, counts


@_jit
def _count_grid(grid: _Arr, month_of_day: _Arr) -> tuple[int, int]:
    """Non-empty user-days, and (user, month) pairs."""
    nd, nu = grid.shape
    last_month = np.full(nu, -1, np.int64)
    n_ud = 0
    n_um = 0
    for d in range(nd):
        m = month_of_day[d]
        for u in range(nu):
            if grid[d, u] > 0:
                n_ud += 1
                if last_month[u] != m:
                    last_month[u] = m
                    n_um += 1
    return n_ud, n_um


@_jit
def _user_days(
    grid: _Arr,
    user_acc: _Arr,
    month_of_day: _Arr,
    n_months: int,
    live: _Arr,
    n_ud: int,
    n_um: int,
    window: _Arr,
    window_days: int,
) -> tuple[_Arr, ...]:
    """Everything the grid holds: user-days in day order, DAU/WAU/MAU per day, (user, month)
    pairs in month order, each user's first month, monthly actives, cohort cells, each
    account's first day (``first_day``) and each user's active days in its account's window
    (``live`` = the account's go-live day, or < -2**40 where it has none: its first day; the
    window is ``window_days`` from it)."""
    nd, nu = grid.shape
    ud_a = np.empty(n_ud, np.int32)
    ud_u = np.empty(n_ud, np.int32)
    ud_d = np.empty(n_ud, np.int32)
    ud_n = np.empty(n_ud, np.int64)
    um_u = np.empty(n_um, np.int32)
    um_m = np.empty(n_um, np.int32)
    active = np.zeros((nd, 3), np.int64)
    first_month = np.full(nu, -1, np.int32)
    month_active = np.zeros(n_months, np.int64)
    cohort = np.zeros((n_months, n_months), np.int64)
    first_day = np.full(live.shape[0], -1, np.int64)
    last = np.full(nu, -1_000_000, np.int64)
    last_month = np.full(nu, -1, np.int64)
    k = 0
    j = 0
    for d in range(nd):
        m = month_of_day[d]
        for u in range(nu):
            c = grid[d, u]
            if c > 0:
                a = user_acc[u]
                ud_a[k] = a
                ud_u[k] = u
                ud_d[k] = d
                ud_n[k] = c
                k += 1
                last[u] = d
                if last_month[u] != m:
                    last_month[u] = m
                    um_u[j] = u
                    um_m[j] = m
                    j += 1
                    month_active[m] += 1
                    if first_month[u] < 0:
                        first_month[u] = m
                    cohort[first_month[u], m - first_month[u]] += 1
                if first_day[a] < 0:
                    first_day[a] = d
                    if live[a] < -(2**40):
                        live[a] = d
                window[u] += d >= live[a] and d < live[a] + window_days
            gap = d - last[u]
            active[d, 0] += gap == 0
            active[d, 1] += gap < 7
            active[d, 2] += gap < 30
    return ud_a, ud_u, ud_d, ud_n, active, um_u, um_m, first_month, month_active, cohort, first_day


@_jit
def _feature_users(fmask: _Arr, order: _Arr) -> tuple[_Arr, _Arr, _Arr, _Arr]:
    """(month, feature, user) triples in month, user, then feature order, and users per month
    and feature; ``order`` = the bits in the order of their features' keys, and a triple's
    feature is its bit's place in it."""
    nm, nu = fmask.shape
    nb = order.shape[0]
    n = 0
    for m in range(nm):
        for u in range(nu):
            x = fmask[m, u]
            while x:
                x &= x - np.uint64(1)
                n += 1
    rm = np.empty(n, np.int32)
    rf = np.empty(n, np.int32)
    ru = np.empty(n, np.int32)
    per = np.zeros((nm, nb), np.int64)
    k = 0
    for m in range(nm):
        for u in range(nu):
            x = fmask[m, u]
            if not x:
                continue
            for j in range(nb):
                if (x >> np.uint64(order[j])) & np.uint64(1):
                    rm[k] = m
                    rf[k] = j
                    ru[k] = u
                    per[m, j] += 1
                    k += 1
    return rm, rf, ru, per


# -- the Python side ---------------------------------------------------------------------------


def _one(con: duckdb.DuckDBPyConnection, sql: str) -> tuple[Any, ...]:
    row = con.execute(sql).fetchone()
    assert row is not None
    return tuple(row)


def _names(con: duckdb.DuckDBPyConnection, table: str) -> dict[int, str]:
    return {int(k): str(v) for k, v in con.execute(f"SELECT k, id FROM {table}").fetchall()}


def _size(con: duckdb.DuckDBPyConnection, table: str) -> int:
    return int(_one(con, f"SELECT coalesce(max(k) + 1, 0) FROM {table}")[0])


def _stream(con: duckdb.DuckDBPyConnection, fold: Any) -> None:
    """Feed ``fold`` the batches of :data:`_READ` as numpy columns, DuckDB decoding the next
    batch in a thread while ``fold`` (nogil) works; ``fold`` returning False stops the read.
    Up to :data:`PREFETCH_BATCHES` decoded batches wait for ``fold``."""
    reader = con.execute(_READ).to_arrow_reader(BATCH_ROWS)
    batches: queue.Queue[list[np.ndarray[Any, Any]] | BaseException | None]
    batches = queue.Queue(PREFETCH_BATCHES)
    stop = threading.Event()

    def decode() -> None:
        try:
            for batch in reader:
                if stop.is_set():
                    break
                batches.put(_numpy(batch))
        except BaseException as exc:  # handed to the caller's thread
            batches.put(exc)
        batches.put(None)

    thread = threading.Thread(target=decode, name="portalroi-kernel-decode", daemon=True)
    thread.start()
    failure: BaseException | None = None
    try:
        while (cols := batches.get()) is not None:
            if isinstance(cols, BaseException):
                failure = cols
                continue
            if failure is None and not stop.is_set() and not fold(cols):
                stop.set()
    except BaseException:
        stop.set()
        while batches.get() is not None:  # let the thread end
            pass
        raise
    finally:
        thread.join()
        reader.close()
    if failure is not None:
        raise failure


def _date_array(days: _Arr) -> pa.Array:
    """``date32`` from days since 1970 (no copy when ``days`` is a contiguous ``int32``)."""
    d = np.ascontiguousarray(days, np.int32)
    return pa.Array.from_buffers(pa.date32(), len(d), [None, pa.py_buffer(d)])


def _ts_array(values: _Arr, none: int) -> pa.Array:
    """``timestamp[us]`` from epoch microseconds (not copied), null where ``none``."""
    valid = np.packbits(values != none, bitorder="little")
    buffers = [pa.py_buffer(valid), pa.py_buffer(np.ascontiguousarray(values))]
    return pa.Array.from_buffers(pa.timestamp("us"), len(values), buffers)


def _write(con: duckdb.DuckDBPyConnection, table: str, frame: pa.Table) -> None:
    """``INSERT`` ``frame`` into ``table``, in batches of :data:`WRITE_ROWS` that DuckDB
    writes in parallel (a table of one chunk is written by one thread: 9.2M rows 0.75 s, in
    batches 0.41 s), keeping their order (``preserve_insertion_order``)."""
    assert table in sql.DDL, table
    frame = pa.Table.from_batches(frame.to_batches(max_chunksize=WRITE_ROWS), frame.schema)
    view = f"_kernel_{table.lstrip('_')}"
    con.register(view, frame)
    try:
        cols = ", ".join(f'"{c}"' for c in frame.column_names)
        con.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM {view}")
    finally:
        con.unregister(view)


class _Writer:
    """Creates the tables, then writes each table put, in order, in a thread: DuckDB (which
    lets go of the GIL) writes one while the caller derives the next ones on the other core.
    ``con`` is the writer's alone until :meth:`close`: one statement at a time, in the
    caller's transaction."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self._con = con
        self._jobs: queue.Queue[tuple[str, pa.Table] | None] = queue.Queue()
        self._done = threading.Condition()
        self._written: set[str] = set()
        self._error: BaseException | None = None
        self._stop = False
        self._thread = threading.Thread(target=self._run, name="portalroi-kernel-write")
        self._thread.start()

    def _run(self) -> None:
        try:
            sql.create_tables(self._con)
        except BaseException as exc:  # handed to the caller's thread
            self._error = exc
        while (job := self._jobs.get()) is not None:
            if self._error is None and not self._stop:
                try:
                    _write(self._con, *job)
                except BaseException as exc:
                    self._error = exc
            table, job = job[0], None  # its arrays go now, not when the next job comes
            with self._done:
                self._written.add(table)
                self._done.notify_all()

    def put(self, table: str, columns: dict[str, Any]) -> None:
        if self._error is not None:
            raise self._error
        self._jobs.put((table, pa.table(columns)))

    def wait(self, table: str) -> None:
        """Wait until ``table`` (put) is written (or its write failed): its arrays are gone."""
        with self._done:
            self._done.wait_for(lambda: table in self._written)
        if self._error is not None:
            raise self._error

    def close(self, *, failed: bool = False) -> None:
        """Wait for the writes (``failed``: the one under way only) and raise a write's
        error."""
        self._stop = failed
        self._jobs.put(None)
        self._thread.join()
        if self._error is not None and not failed:
            raise self._error


def _tiny(fn: Callable[..., Any]) -> tuple[Any, ...]:
    """Arguments for ``fn`` of the types :func:`rebuild` passes, on tiny arrays: calling it
    loads its compiled code from Numba's cache."""
    i8, i32, i64, u16, u64 = np.int8, np.int32, np.int64, np.uint16, np.uint64
    grid = np.zeros((1, 1), u16)
    one = np.zeros(1, i64)
    if fn is _pass:
        cols = [np.zeros(1, t) for t in (i64, i32, i32, i32, i32, i32)]
        for c in cols:
            c.flags.writeable = False  # as Arrow's zero-copy columns
        return (*cols, _NO_BITS, _NO_BITS, 0, np.ones(6, i64), np.full(4, -1, i64), one, grid,
                np.zeros((1, 1), i64), np.full(1, -1, i32), np.zeros((1, 1), u64), one.copy(),
                one.copy(), one.copy(), np.zeros(4, i8), np.zeros(2, i64),
                np.full(1, -1, i32), np.zeros(64, i32))  # fmt: skip
    if fn is _help:
        return one, one.copy(), one.copy(), 0, one, 1
    if fn is _count_grid:
        return grid, one
    if fn is _user_days:
        return grid, np.zeros(1, i32), one, 1, one.copy(), 1, 1, one.copy(), 1
    assert fn is _feature_users, fn
    return np.zeros((1, 1), u64), np.zeros(1, i64)


def _load(pass_loaded: threading.Event) -> None:
    """Import Numba and load each compiled function from its cache (``_pass`` first, then
    ``pass_loaded`` is set): about a second in a fresh process, in a thread while DuckDB
    answers the first queries and decodes the first batches."""
    with _LOADING:
        if len(_JITTED) < len(_COMPILE):
            import numba

            for fn in _COMPILE:
                if fn not in _JITTED:
                    jitted = numba.njit(cache=True, nogil=True)(fn)
                    jitted(*_tiny(fn))
                    _JITTED[fn] = jitted
                if fn is _pass:
                    pass_loaded.set()
    pass_loaded.set()


class _Loader:
    """:func:`_load` in a thread; its error, if any, raised where the code is waited for."""

    def __init__(self) -> None:
        self._pass_loaded = threading.Event()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="portalroi-kernel-load", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            _load(self._pass_loaded)
        except BaseException as exc:  # handed to the caller's thread
            self._error = exc
        finally:
            self._pass_loaded.set()

    def wait_pass(self) -> None:
        if not self._pass_loaded.is_set():
            self._pass_loaded.wait()
        if _pass not in _JITTED:
            raise self._error or RuntimeError("the compiled pass did not load")

    def wait(self) -> None:
        self._thread.join()
        if self._error is not None:
            raise self._error


_UNITS = {"KB": 1e3, "MB": 1e6, "GB": 1e9, "TB": 1e12}
_UNITS |= {"KIB": 2**10, "MIB": 2**20, "GIB": 2**30, "TIB": 2**40, "PIB": 2**50}


def array_bytes(
    days: int,
    users: int,
    sessions: int,
    types: int,
    months: int,
    user_days: int = 0,
    feature_users: int = 0,
) -> int:
    """Bytes of the kernel's arrays for a store of so many days (first to last event),
    users, sessions, event types and calendar months: the pass's (a ``uint16`` day x user
    grid, a ``uint64`` month x user bitmask, three ``int64`` times per session, ``int64``
    counts per day and type, each user's ``int32`` account and each day's ``int64`` month),
    plus, given the ``user_days`` and the (month, feature, user) triples (``feature_users``)
    the pass found, the arrays derived from them (account, user, day and count of each
    user-day: 20 bytes; at most one (user, month) pair per cell of the bitmask: 8 bytes; month,
    feature and user of each triple: 12 bytes).

    >>> array_bytes(730, 194_013, 12_502_832, 13, 24) // 1_000_000  # the 100M benchmark
    621
    """
    passed = (
        days * users * 2 + months * users * 8 + sessions * 24 + days * types * 8
        + users * 4 + days * 8
    )  # fmt: skip
    if user_days or feature_users:
        passed += user_days * 20 + months * users * 8 + feature_users * 12
    return passed


def _memory_bytes(setting: str) -> float | None:
    """Bytes of a DuckDB size, as set (``256MB``) or shown (``953.6 MiB``); None when not
    understood."""
    found = re.fullmatch(r"\s*([0-9.]+)\s*([A-Za-z]+)\s*", setting)
    if found is None or found[2].upper() not in _UNITS:
        return None
    return float(found[1]) * _UNITS[found[2].upper()]


@contextmanager
def _memory_cap(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Hold DuckDB's ``memory_limit`` to :data:`DUCKDB_MEMORY` while the kernel runs, then
    restore it (a setting of the whole database: loads hold the store's write lock while they
    rebuild). A limit at or below the cap, or one not understood, is left alone."""
    before = str(_one(con, "SELECT current_setting('memory_limit')")[0])
    number, _, unit = before.partition(" ")
    shown, cap = _memory_bytes(before), _memory_bytes(DUCKDB_MEMORY)
    if shown is None or cap is None or shown <= cap:
        yield
        return
    # the setting shows 0.1 units: half a unit more restores what it showed, each time; no
    # limit (-1) shows as 16383.9 PiB, a unit SET does not take
    restore = "-1" if unit == "PiB" else f"{float(number) + 0.05} {unit}"
    con.execute(f"SET memory_limit = '{DUCKDB_MEMORY}'")
    try:
        yield
    finally:
        con.execute(f"SET memory_limit = '{restore}'")


@contextmanager
def _order_restored(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Restore ``preserve_insertion_order`` (off for the read, on for the writes) after."""
    before = bool(_one(con, "SELECT current_setting('preserve_insertion_order')")[0])
    try:
        yield
    finally:
        con.execute(f"SET preserve_insertion_order = {before}")


def rebuild(con: duckdb.DuckDBPyConnection) -> bool:
    """Build every integer-keyed rollup from ``events`` in one streamed read.

    Returns ``False``, having written nothing, when the kernel's arrays cannot hold the data
    (see the module's docstring); the caller then runs the SQL rebuild.
    """
    if _one(con, "SELECT count(*) FROM events WHERE _type_k IS NULL")[0]:
        return False  # unkeyed rows
    loader = _Loader()
    with _memory_cap(con), _order_restored(con):
        return _build(con, loader)


def _build(con: duckdb.DuckDBPyConnection, loader: _Loader) -> bool:
    # every event's day, anonymous ones too: DuckDB answers from the column's statistics,
    # where a scan of the events with a user took a second at 100M (and filled its buffers)
    ts_lo, ts_hi = _one(con, "SELECT epoch_us(min(ts)), epoch_us(max(ts)) FROM events")
    if ts_lo is None:
        return False
    na, nu, ns = (_size(con, f"_key_{x}") for x in ("account", "user", "session"))
    type_names = _names(con, "_key_type")
    feature_names = _names(con, "_key_feature")
    nt = max(type_names, default=-1) + 1
    nf = max(feature_names, default=-1) + 1
    day0 = int(ts_lo) // US_DAY
    nd = int(ts_hi) // US_DAY - day0 + 1
    if nu == 0 or na == 0 or nt == 0:
        return False
    live = np.full(na, np.iinfo(np.int64).min, np.int64)
    for k, live_day in con.execute(
        "SELECT k.k, epoch_us(min(a.portal_live_at)) FROM _key_account k "
        "JOIN accounts a ON a.account_id = k.id "
        "WHERE a.portal_live_at IS NOT NULL GROUP BY k.k"
    ).fetchall():
        live[int(k)] = int(live_day) // US_DAY - day0
    days = np.arange(day0, day0 + nd).astype("datetime64[D]")
    months = days.astype("datetime64[M]")
    month_of_day = (months - months[0]).astype(np.int64)
    del days
    n_months = int(month_of_day[-1]) + 1
    month_days = (
        np.arange(months[0], months[0] + n_months, dtype="datetime64[M]")
        .astype("datetime64[D]")
        .astype(np.int32)
    )
    del months
    if array_bytes(nd, nu, ns, nt, n_months) > MAX_ARRAY_BYTES:
        return False
    key = {name: k for k, name in type_names.items()}
    types = np.array(
        [key.get(t, -1) for t in ("search", "article_view", "ticket_created", "feature_use")],
        np.int64,
    )
    sizes = np.array([nd, na, nu, ns, nt, nf], np.int64)
    grid = np.zeros((nd, nu), np.uint16)
    day_type = np.zeros((nd, nt), np.int64)
    user_acc = np.full(nu, -1, np.int32)
    fmask = np.zeros((n_months, nu), np.uint64)
    first_search = np.full(ns, _NONE_MIN, np.int64)
    first_article = np.full(ns, _NONE_MIN, np.int64)
    last_ticket = np.full(ns, _NONE_MAX, np.int64)
    conflict = np.zeros(4, np.int8)
    tally = np.zeros(2, np.int64)
    feature_bit = np.full(nf, -1, np.int32)
    bit_feature = np.zeros(MAX_FEATURES, np.int32)

    state: list[Any] = [day0, sizes, types, month_of_day, grid, day_type, user_acc, fmask,
             first_search, first_article, last_ticket, conflict, tally, feature_bit,
             bit_feature]  # fmt: skip

    def fold(cols: list[_Arr]) -> bool:
        loader.wait_pass()  # the first batches wait for the compiled code
        _c(_pass)(*cast(list[Any], cols), *state)
        return not conflict.any()

    con.execute("SET preserve_insertion_order = false")  # the pass does not depend on order
    _stream(con, fold)
    state.clear()  # the arrays go with their names below
    active_days = np.flatnonzero(day_type.sum(axis=1))
    if conflict.any() or not len(active_days):
        return False  # the grid cannot hold the data, or no event has a user
    triples = int(np.bitwise_count(fmask).sum(dtype=np.int64))
    if array_bytes(nd, nu, ns, nt, n_months, int(tally[0]), triples) > MAX_ARRAY_BYTES:
        return False  # the derived arrays would not fit beside the pass's
    lo, hi = int(active_days[0]), int(active_days[-1])
    del active_days
    loader.wait()
    # each table is written in batches, in parallel, in the order of its rows
    con.execute("SET preserve_insertion_order = true")
    # the writer writes each table while the next ones are derived; the largest inputs go
    # first (help sessions, then the grid), each freed as soon as its outputs are made
    writer = _Writer(con)
    try:
        d, t = np.nonzero(day_type)
        writer.put(
            sql.DAY_TYPE,
            {
                "day": _date_array(d + day0),
                "event_type": pa.array([type_names[int(x)] for x in t], pa.string()),
                "n_events": day_type[d, t],
            },
        )
        del day_type, d, t

        rs, help_counts = _c(_help)(
            first_search, first_article, last_ticket, day0, month_of_day, n_months
        )
        n = len(rs)
        try:  # the help sessions' times are at the front: the rest goes back (realloc)
            first_search.resize(n)
            first_article.resize(n)
            last_ticket.resize(n)
        except ValueError:  # referenced elsewhere (a debugger): copied
            first_search, first_article, last_ticket = (
                first_search[:n].copy(), first_article[:n].copy(), last_ticket[:n].copy()
            )  # fmt: skip
        writer.put(
            sql.SESSION_HELP_K,
            {
                "session_k": rs,
                "first_search": _ts_array(first_search, _NONE_MIN),
                "first_article": _ts_array(first_article, _NONE_MIN),
                "last_ticket": _ts_array(last_ticket, _NONE_MAX),
            },
        )
        del rs, first_search, first_article, last_ticket
        kind, month = np.nonzero(help_counts[:, :, 0])
        writer.put(
            sql.HELP_MONTH,
            {
                "kind": pa.array(np.array(["help", "search"])[kind]),
                "month": _date_array(month_days[month]),
                "sessions": help_counts[kind, month, 0],
                "converted": help_counts[kind, month, 1],
            },
        )

        window = np.zeros(nu, np.int64)
        n_ud, n_um = _c(_count_grid)(grid, month_of_day)
        (ud_a, ud_u, ud_d, ud_n, active, um_u, um_m, first_month, month_active, cohort,
         first_day) = _c(_user_days)(grid, user_acc, month_of_day, n_months, live, n_ud, n_um,
                                     window, sql.ACTIVATION_DAYS)  # fmt: skip
        del grid
        ud_d += np.int32(day0)
        writer.put(
            sql.USER_DAY_K,
            {"account_k": ud_a, "user_k": ud_u, "day": _date_array(ud_d), "n_events": ud_n},
        )
        del ud_a, ud_u, ud_d, ud_n
        writer.put(
            sql.DAILY,
            {
                "day": _date_array(np.arange(day0 + lo, day0 + hi + 1)),  # first to last active
                "dau": active[lo : hi + 1, 0],
                "wau": active[lo : hi + 1, 1],
                "mau": active[lo : hi + 1, 2],
            },
        )
        writer.put(sql.USER_MONTH_K, {"user_k": um_u, "month": _date_array(month_days[um_m])})
        del um_u, um_m
        users = np.flatnonzero(first_month >= 0).astype(np.int32)
        writer.put(
            sql.USER_FIRST_K,
            {"user_k": users, "cohort": _date_array(month_days[first_month[users]])},
        )
        months_on = np.flatnonzero(month_active)
        writer.put(
            sql.MONTH_ACTIVE,
            {"month": _date_array(month_days[months_on]), "active_users": month_active[months_on]},
        )
        c, o = np.nonzero(cohort)
        writer.put(
            sql.COHORT,
            {
                "cohort": _date_array(month_days[c]),
                "offset": o.astype(np.int64),
                "users": cohort[c, o],
            },
        )
        accounts = np.flatnonzero(first_day >= 0).astype(np.int32)
        writer.put(
            sql.ACCOUNT_FIRST_K,
            {"account_k": accounts, "first_day": _date_array(first_day[accounts] + day0)},
        )
        writer.put(
            sql.ACCOUNT_USER_K,
            {"account_k": user_acc[users], "user_k": users, "window_days": window[users]},
        )

        # made once the help sessions are written, not to hold both (the user-days are
        # written meanwhile)
        writer.wait(sql.SESSION_HELP_K)
        order = np.argsort(bit_feature[: tally[1]])  # the bits by their features' keys
        feature_of = bit_feature[order]
        fm, ff, fu, per = _c(_feature_users)(fmask, order)
        del fmask
        writer.put(
            sql.FEATURE_USER_K,
            {"month": _date_array(month_days[fm]), "feature_k": feature_of[ff], "user_k": fu},
        )
        del fm, ff, fu
        m, f = np.nonzero(per)
        writer.put(
            sql.FEATURE_MONTH,
            {
                "month": _date_array(month_days[m]),
                "feature": pa.array([feature_names[int(feature_of[x])] for x in f], pa.string()),
                "users": per[m, f],
            },
        )
    except BaseException:
        writer.close(failed=True)
        raise
    writer.close()
    return True
