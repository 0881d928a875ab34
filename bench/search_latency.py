#!/usr/bin/env python3
"""Search benchmark: index N generated Chinese documents, then measure the running portal over HTTP.

Prints: index build rate, search API and search page p50/p95 (sequential, one client), throughput
of the search API against a plain Jinja page on the same server, how soon a saved article is
searchable, and the server's memory. Usage:

    .venv/bin/python bench/search_latency.py                 # 100,000 documents
    .venv/bin/python bench/search_latency.py --docs 5000 --queries 300
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import corpus  # noqa: E402


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def build(tmp: Path, n: int, procs: int, embed: bool) -> dict:
    from sqlalchemy import insert, select

    from portal import create_app
    from portal.auth.services import NewUser, create_user
    from portal.demo import loader
    from portal.extensions import db
    from portal.kb.models import Article, Category
    from portal.search import services

    app = create_app(
        {
            "INSTANCE_PATH": str(tmp / "instance"),
            "SEARCH_INDEX_DIR": str(tmp / "index"),
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'instance' / 'portal.db'}",
        }
    )
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()  # through the migrations, as `portal init` does: `portal serve` then finds it current
        loader.seed_reference_data()
        create_user(NewUser(username="bench", password="Speed#2026x", roles=["curator"]))
        categories = {c.name: c.id for c in db.session.scalars(select(Category))}
        started = time.perf_counter()
        batch = []
        for doc in corpus.documents(n):
            batch.append(
                {
                    "external_id": doc["external_id"],
                    "title": doc["title"],
                    "body": doc["body"],
                    "body_text": doc["body"],
                    "kind": "faq",
                    "category_id": categories[doc["category"]],
                    "visibility": "public",
                    "published": True,
                }
            )
            if len(batch) == 5000:
                db.session.execute(insert(Article), batch)
                batch = []
        if batch:
            db.session.execute(insert(Article), batch)
        db.session.commit()
        insert_s = time.perf_counter() - started
        started = time.perf_counter()
        total = services.reindex(procs=procs, embed=embed)
        index_s = time.perf_counter() - started
    size = sum(f.stat().st_size for f in (tmp / "index").rglob("*") if f.is_file())
    return {
        "docs": total,
        "db_insert_s": insert_s,
        "index_s": index_s,
        "index_rate": total / index_s,
        "index_mb": size / 1e6,
    }


class Client:
    def __init__(self, base):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(self, path, **params):
        url = self.base + path + ("?" + urllib.parse.urlencode(params) if params else "")
        started = time.perf_counter()
        with self.opener.open(url, timeout=30) as r:
            body = r.read()
            status = r.status
        return status, body, (time.perf_counter() - started) * 1000

    def post(self, path, data):
        req = urllib.request.Request(self.base + path, data=urllib.parse.urlencode(data).encode(), method="POST")
        with self.opener.open(req, timeout=30) as r:
            return r.status, r.read()

    def csrf(self, path):
        html = self.get(path)[1].decode()
        return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def throughput(base, paths, seconds=8.0, threads=4):
    count = [0]
    errors = [0]
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def run(k):
        client = Client(base)
        i = k
        while time.perf_counter() < deadline:
            path, params = paths[i % len(paths)]
            i += threads
            try:
                status = client.get(path, **params)[0]
            except Exception:
                status = 599
            with lock:
                count[0] += 1
                errors[0] += status >= 500

    workers = [threading.Thread(target=run, args=(k,)) for k in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return count[0] / seconds, errors[0]


def freshness(base) -> float:
    client = Client(base)
    client.post("/login", {"username": "bench", "password": "Speed#2026x", "csrf_token": client.csrf("/login")})
    token = client.csrf("/kb/articles/new")
    # a title no earlier run used: random characters, not just a new number after the same words
    import random

    words = "".join(random.sample("春夏秋冬梅兰竹菊山川湖海风云雷电金木水火土日月星辰江河松柏", 6))
    title = f"新鲜度验证{words}{int(time.time())}"
    client.post(
        "/kb/articles/new",
        {
            "title": title,
            "kind": "faq",
            "category_id": "1",
            "visibility": "public",
            "manual_id": "0",
            "position": "0",
            "published": "y",
            "body": "正文",
            "csrf_token": token,
        },
    )
    saved = time.perf_counter()
    while time.perf_counter() - saved < 30:
        data = json.loads(client.get("/api/v1/search", q=title, limit=3)[1])
        if any(r["title"] == title for r in data["results"]):
            return time.perf_counter() - saved
        time.sleep(0.05)
    return float("inf")


def rss_mb(pid: int) -> float:
    total = 0
    for p in [pid] + [
        int(c) for c in subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    ]:
        for line in Path(f"/proc/{p}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total / 1024


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=100_000)
    ap.add_argument("--queries", type=int, default=300)
    ap.add_argument("--procs", type=int, default=2, help="indexing processes")
    ap.add_argument("--port", type=int, default=5077)
    ap.add_argument(
        "--server",
        choices=["embedded", "gunicorn"],
        default="embedded",
        help="embedded = `portal serve` (threads + job consumer); gunicorn = 2 sync workers",
    )
    ap.add_argument("--dir", help="work directory (default: a temporary one)")
    ap.add_argument(
        "--reuse", action="store_true", help="with --dir: measure again on the documents built there by an earlier run"
    )
    ap.add_argument(
        "--embed",
        action="store_true",
        help="also embed every document for the semantic ranking (slow: ~150 long docs/s); "
        "without it queries still pay for embedding the query and the dot products",
    )
    args = ap.parse_args(argv)

    tmp = Path(args.dir or tempfile.mkdtemp(prefix="portal-bench-"))
    tmp.mkdir(parents=True, exist_ok=True)
    if args.reuse and (tmp / "built.json").exists():
        built = json.loads((tmp / "built.json").read_text())
        print(f"measuring again on the {built['docs']:,} documents in {tmp} …", flush=True)
    else:
        print(f"building {args.docs} documents in {tmp} …", flush=True)
        built = build(tmp, args.docs, args.procs, args.embed)
        (tmp / "built.json").write_text(json.dumps({**built, "embed": args.embed}))
    args.embed = built.get("embed", args.embed)
    env = {
        **os.environ,
        "PORTAL_INSTANCE_PATH": str(tmp / "instance"),
        "PORTAL_SEARCH_INDEX_DIR": str(tmp / "index"),
        "PORTAL_RATELIMIT_ENABLED": "0",  # one client firing thousands of searches is the point here
    }
    bin_dir = Path(sys.executable).parent
    if args.server == "gunicorn":
        cmd = [str(bin_dir / "gunicorn"), "-w", "2", "--preload", "-b", f"127.0.0.1:{args.port}", "wsgi:app"]
    else:
        cmd = [str(bin_dir / "portal"), "serve", "--port", str(args.port)]
    server = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{args.port}"
    try:
        for _ in range(100):
            try:
                Client(base).get("/healthz")
                break
            except Exception:
                time.sleep(0.2)
        client = Client(base)
        queries = corpus.queries(args.queries)
        for q in queries[:20]:
            client.get("/api/v1/search", q=q, limit=10)
        api, hits = [], []
        for q in queries:
            status, body, ms = client.get("/api/v1/search", q=q, limit=10)
            api.append(ms)
            hits.append(json.loads(body)["total"])
        page = [client.get("/", q=q)[2] for q in queries[:100]]
        prefixes = [q[:n] for q in queries for n in (1, 2, 3)][:300] + ["bx", "dl", "mima", "sp", "baoxiao"]
        suggest = [client.get("/api/v1/suggest", q=p)[2] for p in prefixes]
        search_paths = [("/api/v1/search", {"q": q, "limit": 10}) for q in queries]
        search_rps, search_err = throughput(base, search_paths)
        plain_rps, plain_err = throughput(base, [("/login", {})])
        fresh = freshness(base)
        memory = rss_mb(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=10)

    print()
    print(f"documents                     {built['docs']:>10,}")
    print(f"database insert               {built['db_insert_s']:>10.1f} s")
    print(
        f"full reindex                  {built['index_s']:>10.1f} s   ({built['index_rate']:,.0f} docs/s, "
        f"{args.procs} procs, {built['index_mb']:.0f} MB on disk, embedding {'on' if args.embed else 'off'})"
    )
    print(f"server                        {args.server:>10}")
    print(
        f"search API  p50 / p95         {statistics.median(api):>7.1f} / {pct(api, 95):.1f} ms "
        f"({len(api)} queries, median {statistics.median(hits):.0f} hits)"
    )
    print(f"search page p50 / p95         {statistics.median(page):>7.1f} / {pct(page, 95):.1f} ms")
    print(
        f"completion  p50 / p95         {statistics.median(suggest):>7.1f} / {pct(suggest, 95):.1f} ms "
        f"({len(suggest)} prefixes)"
    )
    print(f"throughput search API         {search_rps:>10.0f} req/s ({search_err} errors)")
    print(
        f"throughput plain Jinja page   {plain_rps:>10.0f} req/s ({plain_err} errors)  "
        f"ratio {plain_rps / max(search_rps, 1e-9):.2f}x"
    )
    print(f"saved article searchable in   {fresh:>10.2f} s")
    print(f"server memory (RSS)           {memory:>10.0f} MB")


if __name__ == "__main__":
    main()
