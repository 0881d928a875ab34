import sys; sys.path.insert(0, __import__('os').path.dirname(__import__('os').path.abspath(__file__)))
from exp1 import *
r=Ranker().bm25()
# neighbors
titles=[fold(a['title']) for a in arts]
NN=[]
for i,t in enumerate(titles):
    s=r.score(t); s[i]=-1
    o=np.argpartition(-s,10)[:10]; o=o[np.argsort(-s[o])]
    NN.append((o, s[o]/max(r.score(t)[i],1e-9)))
class Smooth:
    def __init__(self,lam,m): self.lam=lam; self.m=m
    def rank(self,text,k=10):
        s=r.score(text); sn=s/max(s.max(),1e-9)
        t=sn.copy()
        cand=np.argpartition(-s,300)[:300]
        for d in cand:
            o,w=NN[d]
            t[d]+=self.lam*np.mean(sn[o[:self.m]])
        o=np.lexsort((np.arange(len(t)),-t))[:k]
        return [ids[i] for i in o if t[i]>0]
for lam in (0.2,0.5):
    for m in (3,10):
        run(f'nn smooth lam={lam} m={m}', Smooth(lam,m))
