#!/bin/bash
# Dev figures of README.md through the official scorer, one adapter after another.
# Run inside a venv that has the packages of README.md ("Setup"); results go to $OUT.
OUT=${OUT:-/tmp/semantic-runs}; mkdir -p "$OUT"
export PYTHONPATH=/work/main/bench:/work/main HF_HUB_OFFLINE=1 SEMANTIC_CACHE=${SEMANTIC_CACHE:-/tmp/semantic-cache}
cd /work/main/bench
for a in search_quality.adapter:FaqSearchAdapter semantic.hybrid:Lexical semantic.hybrid:E5Only semantic.hybrid:E5PassageOnly \
         semantic.hybrid:E5Rrf semantic.hybrid:E5Mix50 semantic.hybrid:E5Mix30 semantic.hybrid:E5Mix50Pca128 \
         semantic.hybrid:UseOnly semantic.hybrid:UseRrf semantic.hybrid:UseMix30 semantic.hybrid:UseMix50 semantic.hybrid:UseMix50Pca128; do
  n=${a##*:}
  nice -n 10 python /work/shared/eval/run_eval.py --data /work/shared/eval/dev --adapter $a \
     --json-out "$OUT/$n.json" --per-query-out "$OUT/$n.pq.jsonl" 2>/dev/null | tail -1
done
