import sys; sys.path.insert(0, __import__('os').path.dirname(__import__('os').path.abspath(__file__)))
from exp1 import *
class Bin(Ranker):
    def qvec(self,text):
        idx,v=super().qvec(text); return idx, np.minimum(v,1.0)
run('qtf binary', Bin().bm25())
class Sat(Ranker):
    def qvec(self,text):
        idx,v=super().qvec(text); return idx, v*(8+1)/(v+8)
run('qtf k3=8', Sat().bm25())
