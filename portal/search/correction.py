"""Query repair: one-character typos and words typed as pinyin, judged by the KB's own text.

Both repairs are noisy-channel choices over a character bigram model of the
knowledge base (:class:`~.vocabulary.Vocabulary`):

* **typos** — for every character, candidates are its homophones (any tone,
  plus near sounds such as zh/z, n/l, an/ang) and look-alikes; a candidate
  replaces the character when it raises the log-probability of the query by
  more than the cost of assuming a typo.
* **pinyin** — a latin run that splits into pinyin syllables (or initials:
  ``dlmm``) is turned into the most probable Chinese characters given the
  characters around it, unless the KB itself uses that latin word.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from functools import lru_cache

from portal.search import pinyin as py
from portal.search.fold import DATA_DIR, fold, is_cjk, runs
from portal.search.vocabulary import BOS, EOS, Vocabulary, jieba_freq

CONFUSION_FILE = os.path.join(DATA_DIR, "confusion.tsv")
# Latin words separated only by spaces or apostrophes are one pinyin run ("deng lu").
LATIN_GROUP_RE = re.compile(r"[a-z]+(?:['\s]+[a-z]+)*")
SEPARATORS_RE = re.compile(r"['\s]+")

# Cost (in nats) of assuming the user made each kind of error.  The table
# pairs and exact homophones are the common slips; near sounds and shapes are
# rarer, so they must buy more probability before they are believed.
DEFAULT_COSTS = {"p": 4.0, "h": 4.0, "f": 5.5, "s": 5.0}
# Extra cost for breaking a dictionary word (系统 → 系通) without making another:
# a character inside a known word is rarely the typo.
IN_WORD_COST = 4.0
# A character inside a common word (jieba frequency at least this) is replaced only by one that
# forms, in the same place, a dictionary word the knowledge base itself uses: 登陆 → 登录 yes,
# 冻结 → 动结 no (动结 occurs inside 自动结算, but it is no word).
STRONG_WORD_FREQ = 100


@dataclass
class Correction:
    """A repaired query: the text to search and what was changed."""

    original: str
    text: str
    edits: list[tuple[str, str, str]] = field(default_factory=list)  # (kind, from, to)

    @property
    def changed(self) -> bool:
        return self.text != fold(self.original)


@lru_cache(maxsize=1)
def confusion_table(path: str = CONFUSION_FILE) -> dict[str, dict[str, str]]:
    """char → {candidate: kind} from ``confusion.tsv``, made symmetric.

    The file lists, for a correct character, what it is mistaken for; at query
    time we see the mistake, so every pair is also added the other way round.
    """
    table: dict[str, dict[str, str]] = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            ch, kind, cands = line.rstrip("\n").split("\t")
            for c in cands:
                table.setdefault(ch, {}).setdefault(c, kind)
                table.setdefault(c, {}).setdefault(ch, kind)
    return table


class TypoCorrector:
    """Finds the best single-character substitutions of a query under a vocabulary."""

    def __init__(
        self,
        vocab: Vocabulary,
        costs: dict[str, float] | None = None,
        max_edits: int = 2,
        use_fuzzy: bool = True,
        use_shape: bool = True,
        in_word_cost: float = IN_WORD_COST,
    ):
        self.vocab = vocab
        self.in_word_cost = in_word_cost
        self.costs = dict(DEFAULT_COSTS, **(costs or {}))
        self.max_edits = max_edits
        self.use_fuzzy = use_fuzzy
        self.use_shape = use_shape
        self._cands: dict[str, dict[str, str]] = {}

    def candidates(self, ch: str) -> dict[str, str]:
        """Known characters ``ch`` may have been typed instead of, with the kind of slip."""
        cached = self._cands.get(ch)
        if cached is not None:
            return cached
        out: dict[str, str] = {}
        for c, kind in confusion_table().get(ch, {}).items():
            if kind == "s" and not self.use_shape:
                continue
            out[c] = kind
        for c in py.homophones(ch):
            out.setdefault(c, "h")
        if self.use_fuzzy:
            for c in py.near_homophones(ch):
                out.setdefault(c, "f")
        out.pop(ch, None)
        out = {c: k for c, k in out.items() if self.vocab.known(c)}
        self._cands[ch] = out
        return out

    def in_word(self, text: str, i: int) -> bool:
        """True if ``text[i]`` belongs to a 2–4 character dictionary word of ``text``."""
        for n in (2, 3, 4):
            for start in range(max(0, i - n + 1), min(i, len(text) - n) + 1):
                if self.vocab.is_word(text[start : start + n]):
                    return True
        return False

    def strong_pairs(self, text: str, i: int) -> list[tuple[str, str]]:
        """The common dictionary words of two characters ``text[i]`` is part of, as the
        (left, right) context a replacement must fill: [(left char, ""), ("", right char)]."""
        freq = jieba_freq()
        pairs = []
        if i > 0 and freq.get(text[i - 1 : i + 1], 0) >= STRONG_WORD_FREQ:
            pairs.append((text[i - 1], ""))
        if i + 1 < len(text) and freq.get(text[i : i + 2], 0) >= STRONG_WORD_FREQ:
            pairs.append(("", text[i + 1]))
        return pairs

    def best_edit(self, text: str) -> tuple[float, int, str, str] | None:
        """The single substitution with the largest gain over its cost, if any gains."""
        v = self.vocab
        padded = BOS + text + EOS
        best = None
        for i, ch in enumerate(text):
            if not is_cjk(ch):
                continue
            left, right = padded[i], padded[i + 2]
            base = v.logp(left, ch) + v.logp(ch, right)
            guarded = self.in_word_cost > 0 and self.in_word(text, i)
            strong = self.strong_pairs(text, i)
            succ, pred = v.succ.get(left, ()), v.pred.get(right, ())
            for c, kind in self.candidates(ch).items():
                if c not in succ and c not in pred:
                    continue
                if strong and not any(
                    v.kb_bi.get(a + c + b, 0) >= 2 and jieba_freq().get(a + c + b, 0) >= v.word_min_freq
                    for a, b in strong
                ):
                    continue  # 冻结 → 动结: a common word must become another real word
                gain = v.logp(left, c) + v.logp(c, right) - base - self.costs[kind]
                if guarded and gain > 0 and not self.in_word(text[:i] + c + text[i + 1 :], i):
                    gain -= self.in_word_cost
                if gain > 0 and (best is None or gain > best[0]):
                    best = (gain, i, c, kind)
        return best

    def correct_run(self, run: str) -> tuple[str, list[tuple[str, str, str]]]:
        """Correct one CJK run, one edit at a time, at most ``max_edits`` edits."""
        edits = []
        for _ in range(self.max_edits):
            best = self.best_edit(run)
            if best is None:
                break
            _, i, c, kind = best
            edits.append((kind, run[i], c))
            run = run[:i] + c + run[i + 1 :]
        return run, edits


class PinyinConverter:
    """Turns latin runs that are pinyin (full or initials) into the likeliest Chinese.

    A beam search over the syllables; each step either places one character or
    a whole jieba dictionary word spanning several syllables (worth
    ``word_bonus``).  A character read through a secondary reading (还 as
    "fu") pays ``reading_cost``, so rare readings only win inside real words.
    """

    def __init__(
        self,
        vocab: Vocabulary,
        beam: int = 16,
        backoff: int = 6,
        word_bonus: float = 3.0,
        reading_cost: float = 1.5,
        max_word: int = 4,
        allow_initials: bool = True,
        latin_keep_min: int = 2,
    ):
        self.vocab = vocab
        self.beam = beam
        self.backoff = backoff
        self.word_bonus = word_bonus
        self.reading_cost = reading_cost
        self.max_word = max_word
        self.allow_initials = allow_initials
        self.latin_keep_min = latin_keep_min
        self._chars: dict[str, tuple[list[str], frozenset]] = {}
        self._words: dict[tuple, list[str]] = {}

    def chars_for(self, unit: str, is_initial: bool) -> tuple[list[str], frozenset]:
        """Known characters for a syllable (or initial): (most frequent first, as a set)."""
        key = ("i:" if is_initial else "s:") + unit
        hit = self._chars.get(key)
        if hit is None:
            if is_initial:
                pool = {c for s, cs in py.syllable_chars().items() if py.initial(s) == unit for c in cs}
            else:
                pool = set(py.syllable_chars().get(unit, ()))
            known = sorted((c for c in pool if self.vocab.known(c)), key=lambda c: -self.vocab.uni[c])
            hit = (known, frozenset(known))
            self._chars[key] = hit
        return hit

    def char_cost(self, c: str, unit: str, is_initial: bool) -> float:
        """Cost of reading ``c`` as ``unit``: ``reading_cost`` × the rank of that reading.

        pypinyin lists a character's readings most common first, so 还 is
        cheap as "hai", dearer as "huan" and dearer still as "fu".
        """
        for rank, r in enumerate(py.readings(c)):
            if r.startswith(unit) if is_initial else r == unit:
                return self.reading_cost * min(rank, 3)
        return self.reading_cost * 3

    def _extend(self, prefix: str, pool: frozenset) -> list[str]:
        """Characters of ``pool`` that can follow ``prefix`` inside a dictionary word."""
        succ = self.vocab.succ.get(prefix[-1], ())
        small, big = (succ, pool) if len(succ) < len(pool) else (pool, succ)
        return [c for c in small if c in big and self.vocab.is_prefix(prefix + c)]

    def words_at(self, units: tuple[str, ...], is_initial: bool) -> list[str]:
        """Dictionary words of 2..max_word characters spelled by a prefix of ``units``."""
        key = (units[: self.max_word], is_initial)
        hit = self._words.get(key)
        if hit is not None:
            return hit
        out: list[str] = []
        prefixes = list(self.chars_for(units[0], is_initial)[0])
        for n in range(1, min(self.max_word, len(units))):
            pool = self.chars_for(units[n], is_initial)[1]
            prefixes = [p + c for p in prefixes for c in self._extend(p, pool)]
            out.extend(p for p in prefixes if self.vocab.is_word(p))
            if not prefixes:
                break
        self._words[key] = out
        return out

    def decode(self, units: list[str], left: str, right: str, is_initial: bool) -> tuple[float, str]:
        """Beam search for the likeliest characters for ``units`` between two context chars."""
        v = self.vocab
        n = len(units)
        beams: list[list[tuple[float, str]]] = [[] for _ in range(n + 1)]
        beams[0] = [(0.0, left)]
        for j in range(n):
            hyps = sorted(beams[j], key=lambda h: -h[0])[: self.beam]
            if not hyps:
                continue
            ordered, pool = self.chars_for(units[j], is_initial)
            words = self.words_at(tuple(units[j:]), is_initial)
            for score, text in hyps:
                last = text[-1]
                succ = v.succ.get(last, ())
                cands = set(ordered[: self.backoff])
                small, big = (succ, pool) if len(succ) < len(pool) else (pool, succ)
                cands.update(c for c in small if c in big)
                for c in cands:
                    beams[j + 1].append((score + v.logp(last, c) - self.char_cost(c, units[j], is_initial), text + c))
                for w in words:
                    s = score + self.word_bonus + v.score_span(last, w)
                    s -= sum(self.char_cost(c, u, is_initial) for c, u in zip(w, units[j:]))
                    beams[j + len(w)].append((s, text + w))
        if not beams[n]:
            return float("-inf"), ""
        score, text = max(beams[n], key=lambda h: h[0] + v.logp(h[1][-1], right))
        return score + v.logp(text[-1], right), text[1:]

    def convert_run(self, run: str, left: str, right: str) -> str | None:
        """Chinese for one latin run, or None to keep the latin as typed.

        ``run`` may hold spaces or apostrophes ("deng lu", "xi'an"); they are
        hard syllable boundaries.  The latin is kept when the KB itself uses
        the word (app, oa, vpn …) or when no reading makes a known word.
        """
        parts = [p for p in SEPARATORS_RE.split(run) if p]
        joined = "".join(parts)
        if len(joined) < 2 or self.vocab.kb_latin.get(joined, 0) >= self.latin_keep_min:
            return None
        best = (float("-inf"), "")
        for units in self._syllable_paths(parts):
            best = max(best, self.decode(units, left, right, False))
        if not best[1] and self.allow_initials and len(parts) == 1:
            inis = py.split_initials(joined)
            if inis and len(inis) >= 2:
                best = self.decode(inis, left, right, True)
        text = best[1]
        return text if text and self.plausible(text, left, right) else None

    @staticmethod
    def _syllable_paths(parts: list[str], limit: int = 6) -> list[list[str]]:
        """Syllable splits of space-separated parts, combined (at most ``limit``)."""
        paths: list[list[str]] = [[]]
        for part in parts:
            splits = py.split_syllables(part, limit=limit)
            if not splits:
                return []
            paths = [p + s for p in paths for s in splits][:limit]
        return paths

    def plausible(self, text: str, left: str, right: str) -> bool:
        """The conversion forms a word, inside itself or with a neighbouring character."""
        ctx = (left if left != BOS else "") + text + (right if right != EOS else "")
        return any(self.vocab.is_word(ctx[i : i + n]) for n in (2, 3, 4) for i in range(len(ctx) - n + 1))


class QueryCorrector:
    """Folding, pinyin conversion and typo correction of a whole query."""

    def __init__(self, vocab: Vocabulary, typos: bool = True, pinyin: bool = True, **kw):
        self.vocab = vocab
        self.typos = TypoCorrector(vocab, **kw.get("typo_kw", {})) if typos else None
        self.pinyin = PinyinConverter(vocab, **kw.get("pinyin_kw", {})) if pinyin else None

    def correct(self, query: str) -> Correction:
        """Repair a query; ``Correction.text`` is folded text ready for the tokenizer."""
        return self.repair(fold(query), original=query)

    def repair(self, folded: str, original: str | None = None) -> Correction:
        """Repair already folded text (the search folds a query once, then repairs it once)."""
        text = folded
        query = folded if original is None else original
        edits: list[tuple[str, str, str]] = []
        if self.pinyin:
            text = self._convert_latin(text, edits)
        if self.typos:
            pieces, last = [], 0
            for kind, run, start in runs(text):
                if kind != "cjk":
                    continue
                fixed, e = self.typos.correct_run(run)
                pieces.append(text[last:start] + fixed)
                last = start + len(run)
                edits.extend(e)
            text = "".join(pieces) + text[last:]
        return Correction(query, text, edits)

    def _convert_latin(self, text: str, edits: list) -> str:
        """Replace pinyin latin runs in place, using the CJK characters touching them."""
        out, last = [], 0
        for m in LATIN_GROUP_RE.finditer(text):
            run, start, end = m.group(0), m.start(), m.end()
            left = text[start - 1] if start and is_cjk(text[start - 1]) else BOS
            right = text[end] if end < len(text) and is_cjk(text[end]) else EOS
            zh = self.pinyin.convert_run(run, left, right)
            if zh is None and SEPARATORS_RE.search(run):
                zh = self._convert_parts(run)
            if zh:
                out.append(text[last:start] + zh)
                edits.append(("pinyin", run, zh))
                last = end
        return "".join(out) + text[last:]

    def _convert_parts(self, run: str) -> str | None:
        """Fallback for "tq huankuan": convert each space-separated word on its own."""
        parts = [p for p in SEPARATORS_RE.split(run) if p]
        pieces = [self.pinyin.convert_run(p, BOS, EOS) or p for p in parts]
        return " ".join(pieces) if pieces != parts else None
