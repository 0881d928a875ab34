import sys; sys.path.insert(0, __import__('os').path.dirname(__import__('os').path.abspath(__file__)))
from exp1 import *
from scipy.sparse.linalg import svds
class PRF:
    def __init__(self,r,m=3,beta=0.5,nterms=20,decay=True):
        self.r=r;self.m=m;self.beta=beta;self.nt=nterms;self.decay=decay
        self.Wr=sp.csr_matrix(r.W)
    def rank(self,text,k=10):
        r=self.r; s=r.score(text)
        top=np.lexsort((np.arange(r.N),-s))[:self.m]
        top=[i for i in top if s[i]>0]
        if top and self.beta>0:
            # expansion vector: normalized tf-idf weights of top docs, weighted by their score
            acc=np.zeros(r.W.shape[1])
            for rank_,i in enumerate(top):
                row=self.Wr[i]
                w=s[i]/s[top[0]] if self.decay else 1.0
                acc[row.indices]+=w*row.data/row.data.sum()
            sel=np.argsort(-acc)[:self.nt]
            ev=acc[sel]/acc[sel].sum()
            e=r.W[:,sel]@ev
            s=s/s.max()+self.beta*e/max(e.max(),1e-9)
        o=np.lexsort((np.arange(r.N),-s))[:k]
        return [ids[i] for i in o if s[i]>0]
r=Ranker().bm25()
for m in (3,5,10):
    for beta in (0.2,0.5):
        run(f'prf m={m} beta={beta}', PRF(r,m,beta))
run('prf m=5 beta=.3 nt=40', PRF(r,5,0.3,40))
class LSA:
    def __init__(self,r,dim,lam):
        self.r=r;self.lam=lam
        X=sp.csr_matrix(r.W)  # bm25 weights docs x terms
        nrm=np.sqrt(np.asarray(X.multiply(X).sum(1)).ravel())+1e-9
        X=sp.diags(1/nrm)@X
        u,sv,vt=svds(X.astype(np.float64),k=dim)
        self.D=u*sv; self.D/=np.linalg.norm(self.D,axis=1,keepdims=True)+1e-9
        self.V=vt
    def rank(self,text,k=10):
        r=self.r;s=r.score(text)
        idx,v=r.qvec(text)
        if len(idx):
            q=(r.idf[idx]*r.typew[idx]*v)@self.V[:,idx].T
            q/=np.linalg.norm(q)+1e-9
            c=self.D@q
            s=s/max(s.max(),1e-9)+self.lam*c
        o=np.lexsort((np.arange(r.N),-s))[:k]
        return [ids[i] for i in o if s[i]>0]
for dim in (100,300):
    L=LSA(r,dim,0)
    for lam in (0.3,1.0):
        L.lam=lam; run(f'lsa dim={dim} lam={lam}', L)
