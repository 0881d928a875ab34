import sys; sys.path.insert(0, __import__('os').path.dirname(__import__('os').path.abspath(__file__)))
from harness import *
import scipy.sparse as sp
eng=FaqSearch(); eng.build(arts)
REP={}
for s in Q:
    for q in Q[s]: REP[q['query']]=eng.repair(q['query']).text
print('clean changed', sum(REP[q['query']]!=fold(q['query']) for q in Q['clean']))

def terms(text, uni=True, bi=True, tri=False, words=False):
    out=[]
    for kind, run, _ in runs(text):
        if kind!='cjk': out.append('l'+run); continue
        if uni: out += ['u'+c for c in run]
        if bi: out += ['b'+run[i:i+2] for i in range(len(run)-1)]
        if tri: out += ['t'+run[i:i+3] for i in range(len(run)-2)]
        if words:
            import jieba
            out += ['w'+w for w in jieba.lcut(run, HMM=False) if len(w)>1]
    return out

class Ranker:
    def __init__(self, tw=None, **tk):
        self.tk=tk; self.tw=tw or {}
        docs=[Counter(terms(fold(a['title']),**tk)) for a in arts]
        self.vocab={}
        rows,cols,vals=[],[],[]
        for n,c in enumerate(docs):
            for t,v in c.items():
                j=self.vocab.setdefault(t,len(self.vocab)); rows.append(n); cols.append(j); vals.append(v)
        self.tf=sp.csr_matrix((vals,(rows,cols)),shape=(len(docs),len(self.vocab)),dtype=np.float64)
        self.df=np.asarray((self.tf>0).sum(0)).ravel()
        self.N=len(docs)
        self.dl=np.asarray(self.tf.sum(1)).ravel()
        self.typew=np.array([self.tw.get(t[0],1.0) for t in self.vocab])
    def qvec(self, text):
        c=Counter(terms(text,**self.tk)); idx=[];v=[]
        for t,x in c.items():
            if t in self.vocab: idx.append(self.vocab[t]); v.append(x)
        return np.array(idx,dtype=int), np.array(v,dtype=float)
    def bm25(self,k1=1.2,b=0.75):
        idf=np.log(1+(self.N-self.df+0.5)/(self.df+0.5))
        tf=self.tf.tocoo()
        norm=1-b+b*self.dl/self.dl.mean()
        w=tf.data/(tf.data+k1*norm[tf.row])*(k1+1)*idf[tf.col]*self.typew[tf.col]
        self.W=sp.csc_matrix((w,(tf.row,tf.col)),shape=self.tf.shape)
        self.idf=idf
        return self
    def score(self,text):
        idx,v=self.qvec(text)
        if not len(idx): return np.zeros(self.N)
        return self.W[:,idx]@v
    def rank(self,text,k=10):
        s=self.score(text)
        o=np.lexsort((np.arange(self.N),-s))[:k]
        return [ids[i] for i in o if s[i]>0]

def run(name, r):
    print(fmt(name, metrics(lambda q,s: r.rank(REP[q]))), flush=True)

if __name__=='__main__':
    run('bm25 uni+bi', Ranker().bm25())
    for k1 in (0.6,1.2,2.0):
        for b in (0.3,0.75,1.0):
            run(f'bm25 k1={k1} b={b}', Ranker().bm25(k1,b))
    run('bi only', Ranker(uni=False).bm25())
    run('uni only', Ranker(bi=False).bm25())
    run('uni .5', Ranker(tw={'u':0.5}).bm25())
    run('uni+bi+tri', Ranker(tri=True).bm25())
    run('uni+bi+words', Ranker(words=True).bm25())
    run('words', Ranker(uni=False,bi=False,words=True).bm25())
