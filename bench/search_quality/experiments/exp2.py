import sys; sys.path.insert(0, __import__('os').path.dirname(__import__('os').path.abspath(__file__)))
from exp1 import *
class Cos(Ranker):
    def cos(self, sub=True, idfp=1.0):
        idf=np.log((self.N+1)/(self.df+1))+1
        self.idf2=idf**idfp
        tf=self.tf.tocoo()
        d=(1+np.log(tf.data)) if sub else tf.data
        w=d*self.idf2[tf.col]*self.typew[tf.col]
        M=sp.csr_matrix((w,(tf.row,tf.col)),shape=self.tf.shape)
        nrm=np.sqrt(np.asarray(M.multiply(M).sum(1)).ravel())+1e-9
        self.C=sp.csc_matrix(sp.diags(1/nrm)@M)
        return self
    def cscore(self,text):
        idx,v=self.qvec(text)
        if not len(idx): return np.zeros(self.N)
        q=(1+np.log(v))*self.idf2[idx]*self.typew[idx]
        q/=np.linalg.norm(q)+1e-9
        return self.C[:,idx]@q
class Mix:
    def __init__(self,r,lam,mode='cos'):
        self.r=r; self.lam=lam
    def rank(self,text,k=10):
        s=self.r.score(text); c=self.r.cscore(text)
        if s.max()>0: s=s/s.max()
        t=(1-self.lam)*s+self.lam*c
        o=np.lexsort((np.arange(len(t)),-t))[:k]
        return [ids[i] for i in o if t[i]>0]
for tw in ({'u':1.5},{'u':2.0}):
    run(f'bm25 {tw}', Ranker(tw=tw).bm25())
r=Cos().bm25().cos()
for lam in (0,0.3,0.5,0.7,1.0):
    run(f'mix cos lam={lam}', Mix(r,lam))
r=Cos().bm25().cos(idfp=2)
for lam in (0.5,1.0):
    run(f'mix cos idf^2 lam={lam}', Mix(r,lam))
