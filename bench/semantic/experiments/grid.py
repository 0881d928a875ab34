"""Offline grid over fusion rules using precomputed score vectors (scratch, not shipped)."""
import json, os, sys, time
import numpy as np
sys.path[:0] = ['/work/main/bench', '/work/main']
from semantic.hybrid import HybridSearch
from semantic.encoders import ENCODERS

D = os.environ.get('EVAL_DEV', '/work/shared/eval/dev')
load = lambda p: [json.loads(l) for l in open(p, encoding='utf-8') if l.strip()]
arts = load(f'{D}/articles.jsonl')
sets = {s: load(f'{D}/queries_{s}.jsonl') for s in ('clean', 'typo', 'pinyin')}

def metrics(runs):
    out = {}
    for s, rows in runs.items():
        r1 = r5 = rr = 0
        for rel, got in rows:
            rank = next((i + 1 for i, d in enumerate(got) if d in rel), None)
            r1 += rank == 1; r5 += bool(rank and rank <= 5); rr += (1 / rank if rank and rank <= 10 else 0)
        n = len(rows)
        out[s] = (r1 / n, r5 / n, rr / n)
    for s in ('typo', 'pinyin'):
        out[s + '_agree'] = np.mean([(a[1][:1] == b[1][:1]) for a, b in zip(runs['clean'], runs[s])])
    return out

def fmt(name, m):
    return (f"| {name} | {m['clean'][1]:.3f} | {m['typo'][1]:.3f} | {m['pinyin'][1]:.3f} | {m['clean'][2]:.3f} | "
            f"{m['clean'][0]:.3f} | {m['typo_agree']:.3f} | {m['pinyin_agree']:.3f} |")

print('| config | clean R@5 | typo R@5 | pinyin R@5 | clean MRR | clean R@1 | agree typo | agree pinyin |')
print('|---|---|---|---|---|---|---|---|')
encs = sys.argv[1:] or ['e5:query', 'e5:passage', 'use:']
lexdone = False
for spec in encs:
    name, _, arg = spec.partition(':')
    enc = ENCODERS[name](doc_prefix=arg) if name == 'e5' else ENCODERS[name]()
    eng = HybridSearch(enc, mode='embed')
    t = time.time(); eng.build(arts); bt = time.time() - t
    cache = {}
    for s, qs in sets.items():
        cache[s] = []
        for q in qs:
            fixed = eng.lexical.repair(q['query'])
            lex = eng.lexical_scores(fixed)
            emb = eng.embedding_scores(fixed)
            # raw (unrepaired) query embedding, for comparison
            embraw = (eng.vectors @ enc.encode_query(q['query'])).astype(np.float32)
            cache[s].append((set(q['relevant']), lex, emb, embraw))
    def run(mode, raw=False, **kw):
        eng.mode = mode
        for k, v in kw.items(): setattr(eng, k, v)
        runs = {}
        for s, rows in cache.items():
            runs[s] = [(rel, [eng.ids[i] for i, _ in eng.fuse(lex, embraw if raw else emb, 10)]) for rel, lex, emb, embraw in rows]
        return metrics(runs)
    if not lexdone:
        print(fmt('lexical (FaqSearch)', run('lexical'))); lexdone = True
    print(fmt(f'{spec} embed only, raw query', run('embed', raw=True)))
    print(fmt(f'{spec} embed only, repaired query', run('embed')))
    for pool in (20, 50, 100):
        for rk in (10, 60):
            print(fmt(f'{spec} rrf pool={pool} k={rk}', run('rrf', pool=pool, rrf_k=rk)))
    for a in (0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8):
        print(fmt(f'{spec} mix pool=50 alpha={a}', run('mix', pool=50, alpha=a)))
    print(f'(build {bt:.1f}s)', flush=True)
