"""Search latency at scale: the dev KB padded with generated articles.

    PYTHONPATH=bench python -m search_quality.bench_latency --data ../shared/eval/dev --total 100000

Generated articles are sentences of jieba dictionary words drawn by their
frequency (title ~15 characters, body ~300, like the portal's stack notes
assume), so character and bigram postings have a natural Zipf shape.  The
queries are the dev set's clean, typo and pinyin questions; each search is
timed end to end (folding, repair, ranking).  Also prints the quality of the
dev queries against the padded KB, which shows how much the extra
documents dilute the results.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import time

import numpy as np

from .adapter import FaqSearch
from .vocabulary import jieba_freq


def generate_articles(n: int, seed: int = 7, title_chars: int = 15, body_chars: int = 300) -> list[dict]:
    """``n`` synthetic articles made of frequency-weighted jieba words."""
    rng = np.random.default_rng(seed)
    words = [(w, f) for w, f in jieba_freq().items() if f > 0 and not w.isascii()]
    vocab = np.array([w for w, _ in words], dtype=object)
    cdf = np.cumsum(np.array([f for _, f in words], dtype=np.float64))
    cdf /= cdf[-1]

    def sentence(target: int) -> str:
        out, size = [], 0
        draws = np.searchsorted(cdf, rng.random(target))
        for i, j in enumerate(draws):
            out.append(vocab[j])
            size += len(vocab[j])
            if i % 7 == 6:
                out.append("，")
            if size >= target:
                break
        return "".join(out)

    return [{"external_id": f"gen-{i:06d}", "title": sentence(title_chars),
             "body": sentence(body_chars), "category": ""} for i in range(n)]


def load_jsonl(path: str) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100.0 * (len(xs) - 1))))]


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", required=True, help="eval folder (articles.jsonl, queries_*.jsonl)")
    ap.add_argument("--total", type=int, default=100_000, help="documents after padding")
    ap.add_argument("--queries", type=int, default=300, help="queries per variant")
    args = ap.parse_args(argv)

    arts = load_jsonl(os.path.join(args.data, "articles.jsonl"))
    t0 = time.perf_counter()
    arts += generate_articles(max(0, args.total - len(arts)))
    gen_s = time.perf_counter() - t0

    engine = FaqSearch()
    t0 = time.perf_counter()
    engine.build(arts)
    build_s = time.perf_counter() - t0
    print(f"build: index {engine.timings['index']:.1f}s, vocabulary {engine.timings['vocabulary']:.1f}s")
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    print(f"docs={len(arts)} generate={gen_s:.1f}s build={build_s:.1f}s "
          f"({len(arts) / build_s:.0f} docs/s) max_rss={rss_mb:.0f}MB postings={len(engine.index_.docs)}")
    for name in ("clean", "typo", "pinyin"):
        qs = load_jsonl(os.path.join(args.data, f"queries_{name}.jsonl"))[: args.queries]
        for q in qs[:5]:
            engine.search(q["query"], 10)
        lat, r5 = [], 0
        for q in qs:
            t = time.perf_counter()
            _, hits = engine.search(q["query"], 10)
            lat.append((time.perf_counter() - t) * 1000)
            r5 += any(d in q["relevant"] for d, _ in hits[:5])
        print(f"{name:6s} n={len(qs)} p50={statistics.median(lat):.2f}ms p95={pct(lat, 95):.2f}ms "
              f"max={max(lat):.1f}ms R@5={r5 / len(qs):.3f}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
