import sys; sys.path.insert(0, __import__('os').path.dirname(__import__('os').path.abspath(__file__)))
import exp1
from exp1 import *
from search_quality import pinyin as py
_terms=exp1.terms
CORR={}
def terms3(text, uni=True, bi=True, tri=False, words=False, pyu=False, doc_corr=False):
    out=_terms(text,uni,bi,tri,words)
    if pyu:
        for kind, run_, _ in runs(text):
            if kind=='cjk': out += ['p'+(py.readings(c)[:1] or ('?',))[0] for c in run_]
    return out
exp1.terms=terms3
for w in (0.2,0.5):
    run(f'pinyin unigram w={w}', Ranker(pyu=True, tw={'p':w}).bm25())
# doc-side correction: replace titles by corrected titles (research: monkeypatch arts titles)
orig=[a['title'] for a in arts]
fixed=[eng.repair(t).text for t in orig]
print('docs changed', sum(f!=fold(t) for f,t in zip(fixed,orig)))
for a,f in zip(arts,fixed): a['title']=f
run('doc-side corrected titles', Ranker().bm25())
for a,f in zip(arts,fixed): a['title']=fold(a['title'])+' '+f if False else a['title']
for a,o,f in zip(arts,orig,fixed): a['title']=fold(o)+'。'+f if f!=fold(o) else fold(o)
run('doc orig+corrected', Ranker().bm25())
for a,o in zip(arts,orig): a['title']=o
