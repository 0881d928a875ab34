import sys; sys.path.insert(0, __import__('os').path.dirname(__import__('os').path.abspath(__file__)))
from ctune import *
vkw=dict(general_weight=0.3,general_min_freq=20,word_min_freq=20)
for scale in (0.75,1.0,1.25,1.5):
    costs={k:v*scale for k,v in {"p": 4.0, "h": 4.0, "f": 5.5, "s": 5.0}.items()}
    evalc(vkw, dict(typo_kw=dict(costs=costs, in_word_cost=0)), f'scale={scale}')
    evalc(vkw, dict(typo_kw=dict(costs=costs, in_word_cost=0, max_edits=1)), f'scale={scale} max1')
