import sys; sys.path.insert(0, __import__('os').path.dirname(__import__('os').path.abspath(__file__)))
from exp1 import *
r=Ranker().bm25()
X=sp.csr_matrix(r.W); nrm=np.sqrt(np.asarray(X.multiply(X).sum(1)).ravel())+1e-9
X=sp.csr_matrix(sp.diags(1/nrm)@X)
class MMR:
    def __init__(self,lam,pool=30): self.lam=lam; self.pool=pool
    def rank(self,text,k=10):
        s=r.score(text)
        cand=list(np.lexsort((np.arange(r.N),-s))[:self.pool]); cand=[c for c in cand if s[c]>0]
        if not cand: return []
        sn=s[cand]/s[cand[0]]
        S=(X[cand]@X[cand].T).toarray()
        chosen=[]; rem=list(range(len(cand)))
        while rem and len(chosen)<k:
            best=max(rem,key=lambda j: self.lam*sn[j]-(1-self.lam)*(max(S[j][chosen]) if chosen else 0))
            chosen.append(best); rem.remove(best)
        return [ids[cand[j]] for j in chosen]
for lam in (0.9,0.8,0.7,0.6,0.5):
    run(f'mmr lam={lam}', MMR(lam))
