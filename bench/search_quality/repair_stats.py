"""How often query repair is right, and how often it touches a clean query.

    PYTHONPATH=bench python -m search_quality.repair_stats --data ../shared/eval/dev

* clean changed — clean questions the corrector rewrites anyway (the page
  would say "searched for …"); some are real slips of the user (预期 → 逾期).
* restored — typo/pinyin questions repaired to exactly the clean question.
* consistent — repaired to the same text the clean question is repaired to
  (what agree@1 depends on).
"""
from __future__ import annotations

import argparse
import json
import os

from .adapter import FaqSearch
from .normalize import fold


def load_jsonl(path: str) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", required=True)
    ap.add_argument("--show", action="store_true", help="print every wrong repair")
    args = ap.parse_args(argv)
    engine = FaqSearch()
    engine.build(load_jsonl(os.path.join(args.data, "articles.jsonl")))
    clean = {q["qid"]: q for q in load_jsonl(os.path.join(args.data, "queries_clean.jsonl"))}
    fixed_clean = {qid: engine.repair(q["query"]).text for qid, q in clean.items()}
    changed = [q["query"] for qid, q in clean.items() if fixed_clean[qid] != fold(q["query"])]
    print(f"clean changed: {len(changed)}/{len(clean)}")
    if args.show:
        for q in changed:
            print("   ", q, "->", engine.repair(q).text)
    for name in ("typo", "pinyin"):
        rows = load_jsonl(os.path.join(args.data, f"queries_{name}.jsonl"))
        restored = consistent = 0
        for q in rows:
            text = engine.repair(q["query"]).text
            restored += text == fold(q["clean_query"])
            consistent += text == fixed_clean[q["qid"]]
            if args.show and text != fixed_clean[q["qid"]]:
                print("   ", name, q["query"], "->", text, "| clean:", q["clean_query"])
        print(f"{name}: restored {restored}/{len(rows)}, consistent with repaired clean {consistent}/{len(rows)}")


if __name__ == "__main__":
    main()
