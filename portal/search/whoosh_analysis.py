"""The Whoosh analyzer wrapping portal.search.analysis, so index and query segment alike."""

from __future__ import annotations

from whoosh.analysis import Token, Tokenizer

from portal.search import analysis


class ChineseTokenizer(Tokenizer):
    def __call__(
        self,
        value,
        positions=False,
        chars=False,
        keeporiginal=False,
        removestops=True,
        start_pos=0,
        start_char=0,
        mode="",
        **kwargs,
    ):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        for pos, tok in enumerate(analysis.tokens(value)):
            token.text = tok.text
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = tok.text
            if positions:
                token.pos = start_pos + pos
            if chars:
                token.startchar = start_char + tok.start
                token.endchar = start_char + tok.end
            yield token


def chinese_analyzer() -> ChineseTokenizer:
    return ChineseTokenizer()
