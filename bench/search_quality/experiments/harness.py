"""Research harness: ranking variants on dev clean (+ repaired typo/pinyin) queries."""
import json, sys, math, time
from collections import Counter
import numpy as np
sys.path.insert(0, __import__('os').path.abspath(__import__('os').path.join(__import__('os').path.dirname(__file__), '..', '..')))
from search_quality.normalize import fold, runs
from search_quality.adapter import FaqSearch
D=__import__('os').environ.get('EVAL_DEV', '/work/shared/eval/dev') + '/'
arts=[json.loads(l) for l in open(D+'articles.jsonl')]
ids=[a['external_id'] for a in arts]
Q={s:[json.loads(l) for l in open(D+f'queries_{s}.jsonl')] for s in ('clean','typo','pinyin')}

def metrics(rank_fn, sets=('clean','typo','pinyin')):
    out={}; top1={}
    for s in sets:
        r5=rr=0; top1[s]={}
        for q in Q[s]:
            got=rank_fn(q['query'], s)[:10]
            top1[s][q['qid']]=got[0] if got else None
            rel=set(q['relevant'])
            rk=next((i+1 for i,d in enumerate(got) if d in rel),None)
            if rk and rk<=5: r5+=1
            if rk: rr+=1/rk
        out[s]=(r5/len(Q[s]), rr/len(Q[s]))
    ag={s: np.mean([top1[s][k]==top1['clean'][k] for k in top1[s]]) for s in sets if s!='clean'}
    return out, ag

def fmt(name,res):
    out,ag=res
    return f"{name:40s} " + " ".join(f"{s[:2]} R5 {out[s][0]:.3f} MRR {out[s][1]:.3f}" for s in out) + " " + " ".join(f"ag{s[:2]} {v:.3f}" for s,v in ag.items())
