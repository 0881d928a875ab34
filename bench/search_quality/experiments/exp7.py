import sys; sys.path.insert(0, __import__('os').path.dirname(__import__('os').path.abspath(__file__)))
from exp1 import *
import jieba, os
GIDF={}
for l in open(os.path.join(os.path.dirname(jieba.__file__),'analyse','idf.txt'),encoding='utf-8'):
    w,v=l.split(); GIDF[w]=float(v)
med=float(np.median(list(GIDF.values())))
print('median gidf',med)
class QW(Ranker):
    def qvec(self,text):
        wts=Counter()
        for kind,run_,_ in runs(text):
            if kind!='cjk':
                t='l'+run_
                wts[t]+=1; continue
            ws=jieba.lcut(run_,HMM=False)
            cw=[]
            for w in ws:
                g=GIDF.get(w,med)
                x=max(self.floor,min(1.5,(g/med)**self.gamma))
                cw += [x]*len(w)
            for i,c in enumerate(run_):
                wts['u'+c]+=cw[i]
            for i in range(len(run_)-1):
                wts['b'+run_[i:i+2]]+=(cw[i]+cw[i+1])/2
        idx=[];v=[]
        for t,x in wts.items():
            if t in self.vocab: idx.append(self.vocab[t]); v.append(x)
        return np.array(idx,dtype=int), np.array(v,dtype=float)
for g in (0.5,1.0,2.0):
    for fl in (0.1,0.3):
        r=QW().bm25(); r.gamma=g; r.floor=fl
        run(f'gidf gamma={g} floor={fl}', r)
