import sys; sys.path.insert(0, __import__('os').path.dirname(__import__('os').path.abspath(__file__)))
from exp1 import *
class QL(Ranker):
    def ql(self, mu=10):
        cf=np.asarray(self.tf.sum(0)).ravel(); self.pc=cf/cf.sum(); self.mu=mu
        self.tfc=sp.csc_matrix(self.tf); return self
    def score(self,text):
        idx,v=self.qvec(text)
        if not len(idx): return np.zeros(self.N)
        # sum_q v * log(1 + tf/(mu*pc)) + |q| log(mu/(dl+mu))
        sub=self.tfc[:,idx].tocoo()
        s=np.zeros(self.N)
        np.add.at(s, sub.row, v[sub.col]*np.log1p(sub.data/(self.mu*self.pc[idx][sub.col])))
        s+= v.sum()*np.log(self.mu/(self.dl+self.mu))
        s-= s.min()-1e-6
        return s
for mu in (3,10,30):
    run(f'ql mu={mu}', QL().bm25().ql(mu))
class IDF2(Ranker):
    def bm25(self,k1=1.2,b=0.75,mode='log'):
        super().bm25(k1,b)
        if mode=='log':
            idf=np.log(self.N/self.df)
        else:
            idf=self.idf**2
        tf=self.tf.tocoo(); norm=1-b+b*self.dl/self.dl.mean()
        w=tf.data/(tf.data+k1*norm[tf.row])*(k1+1)*idf[tf.col]*self.typew[tf.col]
        self.W=sp.csc_matrix((w,(tf.row,tf.col)),shape=self.tf.shape); return self
run('idf log N/df', IDF2().bm25(mode='log'))
run('idf^2', IDF2().bm25(mode='sq'))
class RRF:
    def __init__(self,rs,ws,k=60): self.rs=rs;self.ws=ws;self.k=k
    def rank(self,text,k=10):
        t=np.zeros(len(ids))
        for r,w in zip(self.rs,self.ws):
            s=r.score(text); o=np.lexsort((np.arange(r.N),-s))[:200]
            t[o]+=w/(self.k+np.arange(1,len(o)+1))
        o=np.lexsort((np.arange(len(t)),-t))[:k]
        return [ids[i] for i in o if t[i]>0]
import jieba
c=Ranker().bm25(); w=Ranker(uni=False,bi=False,words=True).bm25()
run('rrf char+word', RRF([c,w],[1,0.5]))
run('rrf char+word 1:1', RRF([c,w],[1,1]))
