"""Cost of the semantic layer: model memory, query latency, indexing throughput, 100k scale.

    PYTHONPATH=/work/main/bench python -m semantic.bench_semantic --data /work/shared/eval/dev \
        [--encoder e5|use] [--threads N] [--total 100000]

Prints, for one encoder:
1. process RSS before / after loading the model and after warm use (MB);
2. single-query embedding latency over the dev questions (p50 / p95 ms);
3. indexing throughput in articles/s for the dev titles and for synthetic long articles
   (title ~15 + body ~300 characters, ``search_quality.bench_latency.generate_articles``);
4. at ``--total`` documents: size of the vector matrix (float32 and float16), the brute-force
   ``matrix @ query`` + top-50 time, and end-to-end hybrid search latency (repair + BM25F +
   query embedding + dot product + RRF).  The padding documents get random unit vectors
   (embedding 95,000 long articles would take hours here; the dot product costs the same
   whatever the vectors hold), so only latency — not quality — is measured at scale.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time

import numpy as np

_BENCH = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# search_quality lives in bench/; its modules now re-export portal.search.* (repo root)
for _p in (os.path.dirname(_BENCH), _BENCH):
    if _p not in sys.path:
        sys.path.insert(0, _p)

from search_quality.bench_latency import generate_articles  # noqa: E402

from semantic.encoders import ENCODERS, _doc_text  # noqa: E402
from semantic.hybrid import HybridSearch, _top  # noqa: E402


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def load_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", required=True)
    ap.add_argument("--encoder", default="e5", choices=sorted(ENCODERS))
    ap.add_argument("--threads", type=int, default=1, help="encoder threads (OpenMP / BLAS)")
    ap.add_argument("--total", type=int, default=100_000)
    ap.add_argument("--long", type=int, default=100, help="synthetic long articles to time")
    ap.add_argument("--mode", default="rrf", choices=("rrf", "mix"), help="fusion rule timed at scale")
    args = ap.parse_args(argv)
    os.environ.setdefault("OMP_NUM_THREADS", str(args.threads))

    arts = load_jsonl(os.path.join(args.data, "articles.jsonl"))
    queries = [q["query"] for s in ("clean", "typo", "pinyin")
               for q in load_jsonl(os.path.join(args.data, f"queries_{s}.jsonl"))]

    r0 = rss_mb()
    t = time.perf_counter()
    enc = ENCODERS[args.encoder](num_threads=args.threads) if args.encoder == "e5" \
        else ENCODERS[args.encoder](threads=args.threads)
    enc.encode_query("花呗怎么还款")
    load_s = time.perf_counter() - t
    r1 = rss_mb()

    # 2. query latency (raw dev questions, one at a time)
    lat = []
    for q in queries[:300]:
        t = time.perf_counter()
        enc.encode_query(q)
        lat.append((time.perf_counter() - t) * 1000)
    print(f"[{args.encoder}, threads={args.threads}] model load+first query {load_s:.2f}s; "
          f"RSS {r0:.0f} MB -> {r1:.0f} MB after load")
    print(f"query embedding: p50 {statistics.median(lat):.1f} ms, p95 {pct(lat, 95):.1f} ms, max {max(lat):.1f} ms")

    # 3. indexing throughput
    titles = [_doc_text(a) for a in arts[:1000]]
    t = time.perf_counter()
    enc._encode_docs(titles)
    tt = time.perf_counter() - t
    print(f"indexing: {len(titles) / tt:.0f} titles/s (dev titles, median 12 chars) "
          f"-> 5,000 in {5000 / (len(titles) / tt):.0f} s, 100,000 in {100000 / (len(titles) / tt) / 60:.0f} min")
    gen = generate_articles(args.long, seed=11)
    for cap in (128, None):
        longs = [_doc_text(a, cap) for a in gen]
        t = time.perf_counter()
        enc._encode_docs(longs)
        rate = len(longs) / (time.perf_counter() - t)
        print(f"  synthetic articles (title ~15 + body ~300 chars), embedded text capped at {cap} chars: "
              f"{rate:.1f}/s -> 5,000 in {5000 / rate / 60:.0f} min, 100,000 in {100000 / rate / 3600:.1f} h")
    print(f"RSS after warm use: {rss_mb():.0f} MB")

    # 4. scale
    n, dim = args.total, enc.dim
    print(f"vector matrix at {n:,}: float32 {n * dim * 4 / 2**20:.0f} MB, float16 {n * dim * 2 / 2**20:.0f} MB")
    rng = np.random.default_rng(3)
    big = rng.standard_normal((n, dim), dtype=np.float32)
    big /= np.linalg.norm(big, axis=1, keepdims=True)
    qv = big[rng.integers(0, n, 200)] + 0.1
    for dt, d in ((np.float32, dim), (np.float16, dim), (np.float32, 128)):
        m = np.ascontiguousarray(big[:, :d], dtype=dt)
        ts = []
        for q in qv:
            t = time.perf_counter()
            s = (m @ q[:d].astype(dt)).astype(np.float32)
            _top(s, 50)
            ts.append((time.perf_counter() - t) * 1000)
        print(f"brute force {np.dtype(dt).name} x {d} dims dot + top-50 at {n:,}: p50 {statistics.median(ts):.1f} ms, "
              f"p95 {pct(ts, 95):.1f} ms")
    del big, m

    # end-to-end hybrid latency at --total documents
    pad = generate_articles(max(0, n - len(arts)))
    engine = HybridSearch(enc, mode=args.mode)
    t = time.perf_counter()
    engine.lexical.build(arts + pad)
    print(f"lexical build at {n:,}: {time.perf_counter() - t:.1f} s")
    engine.ids = [str(a["external_id"]) for a in arts + pad]
    dev_vecs = enc.encode_docs([_doc_text(a) for a in arts])
    padv = rng.standard_normal((len(pad), dim), dtype=np.float32)
    padv /= np.linalg.norm(padv, axis=1, keepdims=True)
    full = np.concatenate([dev_vecs, padv]).astype(np.float32)
    del padv
    for dims, overlap in ((None, False), (None, True), (128, False)):
        engine.overlap = overlap
        engine.dims, engine.proj, engine.mean = dims, None, None
        if dims:
            engine.fit_projection(full)
        engine.vectors = np.ascontiguousarray(engine.project(full), dtype=np.float32)
        for q in queries[:5]:
            engine.search(q, 10)
        ts = []
        for q in queries:
            t = time.perf_counter()
            engine.search(q, 10)
            ts.append((time.perf_counter() - t) * 1000)
        print(f"hybrid {args.mode} search at {n:,}, dims={dims or dim}, overlap={overlap} ({len(queries)} dev queries, all "
              f"variants): p50 {statistics.median(ts):.1f} ms, p95 {pct(ts, 95):.1f} ms")
    # where the time goes (sequential, last configuration)
    stages = {"repair": [], "bm25f": [], "embed query": [], "dot": [], "fuse": []}
    for q in queries:
        t0 = time.perf_counter()
        fixed = engine.lexical.repair(q)
        t1 = time.perf_counter()
        lex = engine.lexical_scores(fixed)
        t2 = time.perf_counter()
        qv = engine.encoder.encode_query(fixed.text)
        t3 = time.perf_counter()
        emb = engine.embedding_scores(fixed, qv)
        t4 = time.perf_counter()
        engine.fuse(lex, emb, 10)
        t5 = time.perf_counter()
        for name, a, b in (("repair", t0, t1), ("bm25f", t1, t2), ("embed query", t2, t3),
                           ("dot", t3, t4), ("fuse", t4, t5)):
            stages[name].append((b - a) * 1000)
    print("stages at scale (dims=%d): " % (engine.vectors.shape[1]) + "; ".join(
        f"{k} p50 {statistics.median(v):.1f} / p95 {pct(v, 95):.1f} ms" for k, v in stages.items()))
    print(f"RSS at the end: {rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
