"""Loopback load benchmark of the server: dashboard overview page and metric API.

Starts ``portalroi serve`` (uvicorn, one process) on a demo store, signs in, and sends a bounded
number of requests from 50 concurrent clients (httpx async) to each endpoint with the result
cache on (the default). The baseline, measured in the same run on a second server with the
cache off (``PORTALROI_API_CACHE_SECONDS=0``), is the median of ``--baseline`` sequential
requests per endpoint: uncached pages cost seconds each, so 50 concurrent uncached clients would
only measure a queue. Prints throughput and p50/p95/p99 latency per endpoint and the ratio to the
baseline. Target: p95 under 300 ms for cached pages.

Usage::

    .venv/bin/python bench/bench_api_load.py                    # builds the demo store first
    .venv/bin/python bench/bench_api_load.py --db portalroi.duckdb --requests 1000
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

ENDPOINTS = {
    "overview page": "/",
    "metric API (dau)": "/api/v1/metrics/dau/values",
    "metric API (ticket_volume)": "/api/v1/metrics/ticket_volume/values?grain=all",
}
# The console script installed beside the interpreter (the package has no __main__).
CLI = [str(Path(sys.executable).parent / "portalroi")]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def _load(
    base: str, path: str, n: int, clients: int, auth: dict[str, str]
) -> dict[str, float]:
    latencies: list[float] = []
    errors = 0
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(n):
        queue.put_nowait(i)
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=600) as client:
        client.cookies.update(auth["cookies"])
        headers = {"Authorization": auth["bearer"]} if path.startswith("/api") else {}
        first = time.perf_counter()
        r = await client.get(path, headers=headers)
        cold = time.perf_counter() - first
        if r.status_code != 200:
            raise SystemExit(f"{path}: {r.status_code} {r.text[:200]}")

        async def worker() -> None:
            nonlocal errors
            while True:
                try:
                    queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
                t0 = time.perf_counter()
                resp = await client.get(path, headers=headers)
                latencies.append(time.perf_counter() - t0)
                errors += resp.status_code != 200

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(clients)))
        wall = time.perf_counter() - start
    return {
        "cold_ms": cold * 1000,
        "rps": n / wall,
        "p50_ms": statistics.median(latencies) * 1000,
        "p95_ms": _pct(latencies, 0.95) * 1000,
        "p99_ms": _pct(latencies, 0.99) * 1000,
        "errors": errors,
    }


def _sequential(base: str, path: str, n: int, auth: dict[str, Any]) -> float:
    headers = {"Authorization": auth["bearer"]} if path.startswith("/api") else {}
    times = []
    with httpx.Client(base_url=base, timeout=600, cookies=auth["cookies"]) as client:
        for _ in range(n):
            t0 = time.perf_counter()
            r = client.get(path, headers=headers)
            times.append(time.perf_counter() - t0)
            if r.status_code != 200:
                raise SystemExit(f"{path}: {r.status_code} {r.text[:200]}")
    return statistics.median(times) * 1000


def _serve(db: Path, app_db: str, port: int, cache_seconds: float) -> subprocess.Popen[bytes]:
    env = os.environ | {"PORTALROI_API_CACHE_SECONDS": str(cache_seconds)}
    cmd = [*CLI, "serve", "--db", str(db), "--app-db", app_db, "--port", str(port)]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(600):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/v1/live", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        if proc.poll() is not None:
            raise SystemExit("server exited during start-up")
        time.sleep(0.2)
    proc.kill()
    raise SystemExit("server did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="Existing store (default: build the demo).")
    parser.add_argument("--size", default="default", help="Demo size when building it.")
    parser.add_argument("--requests", type=int, default=500, help="Requests per endpoint.")
    parser.add_argument("--clients", type=int, default=50, help="Concurrent clients.")
    parser.add_argument(
        "--baseline", type=int, default=3, help="Sequential uncached requests per endpoint."
    )
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-api-"))
    db = args.db
    if db is None:
        db = work / "demo.duckdb"
        t0 = time.perf_counter()
        subprocess.run(
            [*CLI, "demo", "--size", args.size, "--db", str(db), "--out", str(work / "demo")],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        print(f"demo store ({args.size}) built in {time.perf_counter() - t0:.1f} s")
    app_db = f"sqlite:///{work / 'app.sqlite'}"
    subprocess.run(
        [
            *CLI,
            "users",
            "add",
            "bench@example.org",
            "--role",
            "admin",
            "--password",
            "bench-pass",
            "--app-db",
            app_db,
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    token = subprocess.run(
        [*CLI, "users", "token", "bench@example.org", "--app-db", app_db],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    baseline: dict[str, float] = {}
    loaded: dict[str, dict[str, float]] = {}
    for label, ttl in (("uncached", 0.0), ("cached", 30.0)):
        port = _free_port()
        proc = _serve(db, app_db, port, ttl)
        try:
            base = f"http://127.0.0.1:{port}"
            login = httpx.post(
                f"{base}/api/v1/auth/login",
                json={"email": "bench@example.org", "password": "bench-pass"},
            )
            auth: dict[str, Any] = {"bearer": f"Bearer {token}", "cookies": dict(login.cookies)}
            for name, path in ENDPOINTS.items():
                if label == "uncached":
                    baseline[name] = _sequential(base, path, args.baseline, auth)
                else:
                    loaded[name] = asyncio.run(_load(base, path, args.requests, args.clients, auth))
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    print(f"\n{args.requests} requests per endpoint, {args.clients} concurrent clients, loopback")
    print(
        f"{'endpoint':28} {'uncached ms':>11} {'cold ms':>8} {'req/s':>8} {'p50 ms':>8} "
        f"{'p95 ms':>8} {'p99 ms':>8} {'errors':>6}"
    )
    for name in ENDPOINTS:
        r = loaded[name]
        print(
            f"{name:28} {baseline[name]:11.0f} {r['cold_ms']:8.0f} {r['rps']:8.1f} "
            f"{r['p50_ms']:8.1f} {r['p95_ms']:8.1f} {r['p99_ms']:8.1f} {int(r['errors']):6d}"
        )
        verdict = "meets" if r["p95_ms"] < 300 else "misses"
        print(
            f"{'':28} cached p95 = {r['p95_ms'] / baseline[name]:.3f} x one uncached request; "
            f"{verdict} the 300 ms target"
        )


if __name__ == "__main__":
    main()
