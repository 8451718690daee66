"""Web app response time and a bounded loopback load test.

    pip install -e ".[test]"                 # httpx2 drives the requests
    python benchmarks/bench_web.py           # 50 trials, 200 timed requests, 20 users for 20 s
    python benchmarks/bench_web.py --users 20 --duration 30 --requests 300

Starts ``msmatch serve`` on a free 127.0.0.1 port over 50 trials: the 31 fixture records (seeds and corpus)
compiled once and written as rule sets, the first 19 again under distinct ids (``<id>-copy``). Then:

1. response time: one patient (p01, the richest example profile) against all 50 trials, sequential
   requests; median and p95 in ms for the form POST (``/screen``, the full HTML results page) and the API
   POST (``/api/screen``, ranked JSON);
2. load: N concurrent users (default 20) each posting the form with a synthetic registry patient in a loop
   for a fixed duration (and at most ``--max-requests`` in all); requests, errors, throughput and latency.

Traffic goes to 127.0.0.1 only; every loop is bounded in time and count. The server's own log is kept at
warning level so it does not compete for the two cores.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import httpx2
from synthetic_registry import generate

from matcher.api import load_rulesets
from matcher.report import ruleset_json
from matcher.web.forms import profile_to_form

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
NEWS_ARTICLE = "002_e3d31d896824538a.txt"  # a seed that is an article, not a trial record


def write_trials(folder: Path, count: int) -> int:
    files = sorted((FIXTURES / "seeds").iterdir()) + sorted((FIXTURES / "corpus").glob("NCT*"))
    rulesets = [rs for f in files if f.name != NEWS_ARTICLE for rs in load_rulesets(f)]
    copies = [rs.model_copy(update={"trial_id": f"{rs.trial_id}-copy"}) for rs in rulesets]
    chosen = (rulesets + copies)[:count]
    for ruleset in chosen:
        (folder / f"{ruleset.trial_id}.json").write_text(ruleset_json(ruleset), encoding="utf-8")
    return len(chosen)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(trials: Path, work: Path, expected: int) -> tuple[subprocess.Popen, str]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    process = subprocess.Popen([sys.executable, "-m", "matcher.cli", "serve", "--trials", str(trials), "--port",
                                str(port), "--rules-dir", str(work / "rules"), "--log-level", "warning"],
                               cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2) as response:
                if json.load(response)["trials"] == expected:
                    return process, url
        except OSError:
            time.sleep(0.3)
    process.terminate()
    raise SystemExit("msmatch serve did not start within 180 s")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def time_requests(url: str, requests: int) -> None:
    profile = json.loads((ROOT / "patient_profiles" / "p01-rrms-fingolimod-washout.json").read_text())
    form = {**profile_to_form(profile).values, "as_of": "2026-11-01"}
    with httpx2.Client(base_url=url, timeout=30) as client:
        for name, send in (("POST /screen (HTML results page)", lambda: client.post("/screen", data=form)),
                           ("POST /api/screen (JSON)",
                            lambda: client.post("/api/screen", json={"as_of": "2026-11-01", "patient": profile}))):
            for _ in range(5):  # warm-up
                send().raise_for_status()
            times = []
            size = 0
            for _ in range(requests):
                started = time.perf_counter()
                response = send()
                times.append((time.perf_counter() - started) * 1000)
                response.raise_for_status()
                size = len(response.content)
            print(f"{name}: median {statistics.median(times):.0f} ms, p95 {percentile(times, 0.95):.0f} ms, "
                  f"max {max(times):.0f} ms over {requests} requests ({size / 1024:.0f} KB per response)")


async def load_test(url: str, users: int, duration: float, max_requests: int) -> None:
    forms = [{**profile_to_form(p).values, "as_of": "2026-11-01"} for p in generate(200, seed=11)]
    latencies: list[float] = []
    errors: dict[str, int] = {}
    sent = 0
    deadline = time.monotonic() + duration

    async def user(number: int, client: httpx2.AsyncClient) -> None:
        nonlocal sent
        turn = number
        while time.monotonic() < deadline and sent < max_requests:
            sent += 1
            form = forms[turn % len(forms)]
            turn += users
            started = time.perf_counter()
            try:
                response = await client.post("/screen", data=form)
                if response.status_code != 200:
                    errors[f"HTTP {response.status_code}"] = errors.get(f"HTTP {response.status_code}", 0) + 1
            except httpx2.HTTPError as error:
                errors[type(error).__name__] = errors.get(type(error).__name__, 0) + 1
            latencies.append((time.perf_counter() - started) * 1000)

    limits = httpx2.Limits(max_connections=users, max_keepalive_connections=users)
    async with httpx2.AsyncClient(base_url=url, timeout=60, limits=limits) as client:
        started = time.perf_counter()
        await asyncio.gather(*(user(n, client) for n in range(users)))
        wall = time.perf_counter() - started
    done = len(latencies)
    print(f"load: {users} concurrent users for {wall:.0f} s: {done} requests, {sum(errors.values())} errors "
          f"{errors or ''}, {done / wall:.1f} req/s; latency median {statistics.median(latencies):.0f} ms, "
          f"p95 {percentile(latencies, 0.95):.0f} ms, max {max(latencies):.0f} ms")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=50, help="number of trials (default 50)")
    parser.add_argument("--requests", type=int, default=200, help="timed sequential requests per endpoint")
    parser.add_argument("--users", type=int, default=20, help="concurrent users in the load test (default 20)")
    parser.add_argument("--duration", type=float, default=20, help="load test seconds (default 20)")
    parser.add_argument("--max-requests", type=int, default=5000, help="load test request cap (default 5000)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="msmatch-bench-web-") as tmp:
        trials = Path(tmp) / "trials"
        trials.mkdir()
        count = write_trials(trials, args.trials)
        process, url = start_server(trials, Path(tmp), count)
        try:
            print(f"msmatch serve at {url} with {count} trials")
            time_requests(url, args.requests)
            asyncio.run(load_test(url, args.users, args.duration, args.max_requests))
        finally:
            process.terminate()
            process.wait(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
