#!/usr/bin/env python3
"""Score the portal's search on the Chinese FAQ dev set, over HTTP, from a clean checkout.

    .venv/bin/python scripts/eval_search.py                     # ../shared/eval/dev, all 900 queries
    .venv/bin/python scripts/eval_search.py --limit 50 --repair-rate
    .venv/bin/python scripts/eval_search.py DATA_DIR --json-out /tmp/eval.json

Builds a fresh instance (SQLite database, search index, job queue) in a temporary folder,
`portal init`s it (an empty knowledge base), serves it with `portal serve` on a free port, and runs
the eval's own scorer, `run_eval.py --adapter http`, which imports the articles with
`portal import-kb` and sends every query to `/api/v1/search`. With `--repair-rate` it also runs
`repair_rate.py` (how often a clean, typo or pinyin query is rewritten). Prints the scorer's table
and one summary line in the README's terms; the folder is deleted afterwards unless `--keep`.

PORTAL_* settings in the environment apply (e.g. PORTAL_SEARCH_SEMANTIC=0 for words only), except
the locations, which always point into the temporary folder, and the abuse limits, which are off
(the scorer is one client sending thousands of searches a minute). The scorer and its data live outside
the repository: DATA_DIR defaults to ../shared/eval/dev next to the checkout, and run_eval.py and
repair_rate.py are looked for in DATA_DIR's parent (or --eval-dir).
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCATIONS = ("INSTANCE_PATH", "DATABASE_URL", "SEARCH_INDEX_DIR", "JOBS_DB", "STORAGE_DIR", "REDIS_URL")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def instance_env(folder: Path, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not (k.startswith("PORTAL_") and k[7:] in LOCATIONS)}
    env.update(
        PORTAL_INSTANCE_PATH=str(folder / "instance"),
        PORTAL_DATABASE_URL=f"sqlite:///{folder / 'instance' / 'portal.db'}",
        PORTAL_SEARCH_INDEX_DIR=str(folder / "index"),
        PORT=str(port),
        # one client sends thousands of searches a minute: the abuse limits would refuse them
        PORTAL_RATELIMIT_ENABLED="0",
    )
    return env


def wait_until_up(base: str, server: subprocess.Popen, log: Path, timeout: float = 180.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"portal serve exited with {server.returncode}:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            with urllib.request.urlopen(f"{base}/api/v1/search?q=oa&limit=1", timeout=5) as r:
                if r.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.5)
    sys.exit(f"portal serve did not answer within {timeout:.0f} s; see {log}")


def stop(server: subprocess.Popen) -> None:
    if server.poll() is not None:
        return
    os.killpg(server.pid, signal.SIGTERM)  # its own process group: the server and its consumer threads
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


def summary(res: dict) -> str:
    s = res["sets"]
    r5 = " / ".join(f"{s[k]['R@5']:.3f}" for k in ("clean", "typo", "pinyin") if k in s)
    agree = " / ".join(f"{s[k]['agree@1']:.3f}" for k in ("typo", "pinyin") if "agree@1" in s.get(k, {}))
    p50 = sorted(m["lat_p50_ms"] for m in s.values())[len(s) // 2]
    p95 = max(m["lat_p95_ms"] for m in s.values())
    mrr = s["clean"]["MRR@10"] if "clean" in s else float("nan")
    return (
        f"R@5 clean / typo / pinyin {r5}; MRR@10 clean {mrr:.3f}; agree@1 typo / pinyin {agree}; "
        f"p50 / p95 {p50:.1f} / {p95:.1f} ms; import {res['index_s']:.0f} s of {res['n_articles']} articles"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("data", nargs="?", type=Path, default=ROOT.parent / "shared" / "eval" / "dev")
    ap.add_argument("--eval-dir", type=Path, help="folder of run_eval.py and repair_rate.py (default: DATA's parent)")
    ap.add_argument("--limit", type=int, default=0, help="score only the first N queries of each set")
    ap.add_argument("--repair-rate", action="store_true", help="also run repair_rate.py")
    ap.add_argument("--json-out", help="the scorer's result dict")
    ap.add_argument("--per-query-out", help="each query's rank and top hits (JSONL)")
    ap.add_argument("--keep", action="store_true", help="keep the instance folder (printed)")
    args = ap.parse_args(argv)

    data = args.data.resolve()
    eval_dir = (args.eval_dir or data.parent).resolve()
    run_eval = eval_dir / "run_eval.py"
    for needed in (data / "articles.jsonl", run_eval):
        if not needed.exists():
            sys.exit(f"{needed} not found (pass the dev set's folder, or --eval-dir)")
    portal = Path(sys.executable).parent / "portal"
    if not portal.exists():
        sys.exit(f"{portal} not found: run this with the virtualenv's python (make install)")

    folder = Path(tempfile.mkdtemp(prefix="eval-search-"))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = instance_env(folder, port)
    log = folder / "serve.log"
    result_json = Path(args.json_out) if args.json_out else folder / "result.json"
    server = None
    try:
        with open(folder / "init.log", "wb") as out:
            init = subprocess.run([str(portal), "init"], env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
        if init.returncode:
            sys.exit(f"portal init failed:\n{(folder / 'init.log').read_text(errors='replace')[-3000:]}")
        with open(log, "wb") as out:
            server = subprocess.Popen(
                [str(portal), "serve", "--port", str(port)],
                env=env,
                cwd=ROOT,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        wait_until_up(base, server, log)
        cmd = [sys.executable, str(run_eval), "--data", str(data), "--adapter", "http", "--base", base]
        cmd += ["--import-cmd", f"{shlex.quote(str(portal))} import-kb {{file}}", "--json-out", str(result_json)]
        if args.limit:
            cmd += ["--limit", str(args.limit)]
        if args.per_query_out:
            cmd += ["--per-query-out", args.per_query_out]
        subprocess.run(cmd, env=env, cwd=ROOT, check=True)
        res = json.loads(result_json.read_text(encoding="utf-8"))
        print(summary(res))
        if args.repair_rate:
            cmd = [sys.executable, str(eval_dir / "repair_rate.py"), "--data", str(data), "--base", base]
            if args.limit:
                cmd += ["--limit", str(args.limit)]
            subprocess.run(cmd, env=env, cwd=ROOT, check=True)
        return 1 if res.get("errors") else 0
    finally:
        if server is not None:
            stop(server)
        if args.keep:
            print(f"instance kept in {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
