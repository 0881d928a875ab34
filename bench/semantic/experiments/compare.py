"""Paired comparison of per-query hits@5 against the lexical baseline (exact two-sided sign test).

    python experiments/compare.py $OUT      # the folder run_all.sh wrote
"""
import json
import math
import os
import sys

out = sys.argv[1] if len(sys.argv) > 1 else "/tmp/semantic-runs"


def load(name):
    with open(os.path.join(out, f"{name}.pq.jsonl"), encoding="utf-8") as f:
        return {(r["set"], r["qid"]): r["rank"] for r in map(json.loads, f)}


base = load("FaqSearchAdapter")
for name in ["E5Only", "E5PassageOnly", "E5Rrf", "E5Mix50", "E5Mix30", "E5Mix50Pca128",
             "UseOnly", "UseRrf", "UseMix30", "UseMix50", "UseMix50Pca128"]:
    other, cells = load(name), []
    for s in ("clean", "typo", "pinyin"):
        keys = [k for k in base if k[0] == s]
        hit = lambda r: bool(r and r <= 5)  # noqa: E731
        win = sum(hit(other[k]) and not hit(base[k]) for k in keys)
        loss = sum(hit(base[k]) and not hit(other[k]) for k in keys)
        n = win + loss
        p = min(1.0, 2 * sum(math.comb(n, i) for i in range(min(win, loss) + 1)) / 2 ** n) if n else 1.0
        cells.append(f"{s} +{win}/-{loss} (p={p:.3g})")
    print(name, "; ".join(cells))
