import json, os, sys, numpy as np
sys.path[:0] = ['/work/main/bench', '/work/main']
from semantic.hybrid import HybridSearch
from semantic.encoders import E5Encoder
D=os.environ.get('EVAL_DEV', '/work/shared/eval/dev')
load=lambda p:[json.loads(l) for l in open(p, encoding='utf-8')]
arts=load(f'{D}/articles.jsonl'); qs={s:load(f'{D}/queries_{s}.jsonl') for s in ('clean','typo','pinyin')}
enc=E5Encoder(); eng=HybridSearch(enc, mode='embed'); eng.build(arts)
V=eng.vectors.copy()
rows={s:[] for s in qs}
for s in qs:
    for q in qs[s]:
        f=eng.lexical.repair(q['query']); rows[s].append((set(q['relevant']), eng.lexical_scores(f), enc.encode_query(f.text)))
mu=V.mean(0); U,S,Wt=np.linalg.svd(V-mu, full_matrices=False)
for dims in (384, 256, 192, 128, 96, 64):
    P=Wt[:dims].T
    Vr=(V-mu)@P if dims<384 else V; Vr/=np.linalg.norm(Vr,axis=1,keepdims=True)
    eng.vectors=Vr.astype(np.float32)
    for mode, kw in (('embed',{}),('mix',{'alpha':0.5}),('rrf',{})):
        eng.mode=mode; [setattr(eng,k,v) for k,v in kw.items()]
        out=[]
        for s in qs:
            r5=rr=0
            for rel,lex,qv in rows[s]:
                qr=(qv-mu)@P if dims<384 else qv; qr=qr/np.linalg.norm(qr)
                emb=(eng.vectors@qr.astype(np.float32))
                got=[eng.ids[i] for i,_ in eng.fuse(lex,emb,10)]
                rank=next((i+1 for i,d in enumerate(got) if d in rel),None)
                r5+=bool(rank and rank<=5); rr+=1/rank if rank else 0
            out.append(f'{s} R@5 {r5/300:.3f} MRR {rr/300:.3f}')
        print(dims, mode, ' | '.join(out), flush=True)
