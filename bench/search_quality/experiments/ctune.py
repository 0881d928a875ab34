"""Correction settings sweep: typo/pinyin restore counts and clean false changes."""
import sys, itertools; sys.path.insert(0, __import__('os').path.dirname(__import__('os').path.abspath(__file__)))
from harness import *
from search_quality.correction import QueryCorrector
from search_quality.vocabulary import Vocabulary
def evalc(vkw, ckw, tag):
    v=Vocabulary(**vkw)
    for a in arts: v.add_text(a['title']); v.add_text(a['body'])
    v.finalize()
    qc=QueryCorrector(v, **ckw)
    cl={q['qid']:qc.correct(q['query']).text for q in Q['clean']}
    ch=sum(cl[q['qid']]!=fold(q['query']) for q in Q['clean'])
    ty=sum(qc.correct(q['query']).text==cl[q['qid']] for q in Q['typo'])
    ty0=sum(qc.correct(q['query']).text==fold(q['clean_query']) for q in Q['typo'])
    pi=sum(qc.correct(q['query']).text==cl[q['qid']] for q in Q['pinyin'])
    print(f'{tag:60s} clean_changed {ch:3d}  typo==clean\' {ty:3d} typo==orig {ty0:3d}  pinyin==clean\' {pi:3d}', flush=True)
if __name__=='__main__':
    for gw,gmin,glog,wmin in [(0.3,1,False,1),(0.3,1,True,1),(0.1,1,True,1),(0.3,5,False,5),(0.3,20,False,20),(0.3,20,True,20),(1.0,20,True,20)]:
        evalc(dict(general_weight=gw,general_min_freq=gmin,general_log_weight=glog,word_min_freq=wmin),{}, f'gw={gw} gmin={gmin} log={glog} wmin={wmin}')
