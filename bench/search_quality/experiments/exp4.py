import sys; sys.path.insert(0, __import__('os').path.dirname(__import__('os').path.abspath(__file__)))
import exp1
from exp1 import *
_terms=exp1.terms
def terms2(text, uni=True, bi=True, tri=False, words=False, skip=False):
    out=_terms(text,uni,bi,tri,words)
    if skip:
        for kind, run, _ in runs(text):
            if kind=='cjk': out += ['s'+run[i]+run[i+2] for i in range(len(run)-2)]
    return out
exp1.terms=terms2
class Sym(Ranker):
    def rank(self,text,k=10, lam=None):
        lam=self.lam
        s=self.score(text)
        idx,v=self.qvec(text)
        # reverse: how much of doc d is covered by query: sum over doc terms in query of idf / sum over doc terms idf
        tfb=(self.tf[:,idx]>0).astype(float)
        cov=(tfb@self.idf[idx]*1.0)/self.docidf
        t=s/max(s.max(),1e-9)+lam*cov
        o=np.lexsort((np.arange(self.N),-t))[:k]
        return [ids[i] for i in o if t[i]>0]
r=Sym().bm25()
B=(r.tf>0).astype(float)
r.docidf=B@r.idf+1e-9
for lam in (0.1,0.2,0.4):
    r.lam=lam; run(f'sym cov lam={lam}', r)
for w in (0.3,0.6):
    run(f'skip w={w}', Ranker(skip=True, tw={'s':w}).bm25())
