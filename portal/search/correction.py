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

What was typed right stays as typed. A latin run inside a code (letters with digits or dashes:
QZ-EG6Y-FYEK-NX3Y, INV-2026-0012) or typed in capitals is never read as pinyin. A character that
the KB often pairs with its neighbour fits (FITS_KB); a character inside a word jieba's dictionary
cuts the text into changes only into another dictionary word the KB clearly prefers
(REAL_WORD_EVIDENCE: 登陆 → 登录, never 卡死 → 卡时); a curator's domain word never changes; and a
replacement must form a word (KB_PAIR_COHESION, OUTSIDE_KB_COST). Each threshold was chosen on
the rates of the dev set (README, search quality), not on single queries.
"""

from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from functools import lru_cache

import jieba

from portal.search import pinyin as py
from portal.search.fold import DATA_DIR, fold, is_cjk, runs
from portal.search.vocabulary import BOS, EOS, Vocabulary, jieba_freq

CONFUSION_FILE = os.path.join(DATA_DIR, "confusion.tsv")
# Latin words separated only by spaces or apostrophes are one pinyin run ("deng lu").
LATIN_GROUP_RE = re.compile(r"[a-z]+(?:['\s]+[a-z]+)*")
SEPARATORS_RE = re.compile(r"['\s]+")
# A code, a version or an address: letters and digits mixed, or joined by - _ . / @ (QZ-EG6Y-FYEK-NX3Y,
# INV-2026-0012, win10, oa.example.com). Its letters are never read as pinyin.
CODE_RE = re.compile(r"[a-z0-9]+(?:[-_./@][a-z0-9]+)+|[a-z]+[0-9][a-z0-9]*|[0-9]+[a-z][a-z0-9]*")
# Latin typed in capitals (VPN, QZ) is an abbreviation, not pinyin.
CAPITALS_RE = re.compile(r"(?<![A-Za-z])[A-Z]{2,}(?![A-Za-z])")

# Cost (in nats) of assuming the user made each kind of error.  The table
# pairs and exact homophones are the common slips; near sounds and shapes are
# rarer, so they must buy more probability before they are believed.
DEFAULT_COSTS = {"p": 4.0, "h": 4.0, "f": 5.5, "s": 5.0}
# A word the knowledge base uses at least this often is one of its words.
KB_WORD_MIN = 2
# A word of the text (jieba's dictionary, a curator's domain word) is replaced only by another
# dictionary word, and only when the KB prefers the new word at least this many times more than
# general language (jieba's frequencies) prefers the typed one: 登陆 → 登录 on an OA knowledge base
# yes, 统一 → 同一 (the KB has 同一 five times, 统一 never) no, 卡死 → 卡时 (no word) never.
REAL_WORD_EVIDENCE = 2.0
# A character that forms, with a neighbour or the start or end of the text, a pair the KB uses at
# least this often fits where it stands and is no typo (花呗可以使用么: 146 of the KB's questions
# end in 么).
FITS_KB = 20
# The replacing character must form a word with its neighbours. A pair of the KB counts as a word
# when the KB uses it at least KB_WORD_MIN times and it makes up at least this share of the
# occurrences of its rarer character (花呗, 收钱; not 还还 or 度为, which only happen to meet).
KB_PAIR_COHESION = 0.15
# Extra cost of a repair into a dictionary word the knowledge base does not use (盒子的 → 盒子弟).
OUTSIDE_KB_COST = 1.0


@dataclass
class Correction:
    """A repaired query: the text to search and what was changed."""

    original: str
    text: str
    edits: list[tuple[str, str, str]] = field(default_factory=list)  # (kind, from, to)

    @property
    def changed(self) -> bool:
        return self.text != fold(self.original)


def as_typed(typed: str, folded: str, repaired: str) -> str:
    """The repaired text as the user typed the rest: the changed pieces of ``repaired`` spliced
    into ``typed`` (its width, case and punctuation kept), or ``repaired`` itself when folding
    changed the length of the text."""
    typed = typed.strip()
    if len(typed) != len(folded) or fold(typed) != folded:
        return repaired
    out = []
    for op, i1, i2, j1, j2 in SequenceMatcher(None, folded, repaired, autojunk=False).get_opcodes():
        out.append(typed[i1:i2] if op == "equal" else repaired[j1:j2])
    return "".join(out)


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
    """Finds the best single-character substitutions of a query under a vocabulary.

    A character is a suspect only where it does not fit: not inside a curator's domain word, not
    beside a neighbour the KB often pairs it with (FITS_KB), and inside a word jieba cuts the text
    into only if the word can become another dictionary word the KB clearly prefers (a real-word
    slip such as 登陆 → 登录, REAL_WORD_EVIDENCE). Its replacement must form a word: one of the KB
    (free), one of the dictionary the KB lacks (OUTSIDE_KB_COST), never none.
    """

    def __init__(
        self,
        vocab: Vocabulary,
        costs: dict[str, float] | None = None,
        max_edits: int = 2,
        use_fuzzy: bool = True,
        use_shape: bool = True,
        protected: frozenset[str] = frozenset(),
    ):
        self.vocab = vocab
        self.costs = dict(DEFAULT_COSTS, **(costs or {}))
        self.max_edits = max_edits
        self.use_fuzzy = use_fuzzy
        self.use_shape = use_shape
        self.protected = frozenset(w for w in protected if len(w) > 1)
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

    def frozen(self, text: str) -> set[int]:
        """Positions inside a curator's domain word: never replaced."""
        out: set[int] = set()
        for word in self.protected:
            start = text.find(word)
            while start >= 0:
                out.update(range(start, start + len(word)))
                start = text.find(word, start + 1)
        return out

    @staticmethod
    def words(text: str) -> list[tuple[int, int]]:
        """The spans of the words of two or more characters jieba's dictionary cuts ``text`` into
        (no guessing of unknown words), curator domain words included: 审批|卡死. A dictionary
        entry that loses to a likelier cut (行帮 in 银行帮定) is no word of this text."""
        spans, start = [], 0
        for word in jieba.cut(text, HMM=False):
            if len(word) > 1:
                spans.append((start, start + len(word)))
            start += len(word)
        return spans

    def word_fit(self, text: str, i: int) -> int:
        """What ``text[i]`` forms with its neighbours: 2 a word of the KB (a dictionary word of
        2–4 characters the KB uses, or a cohesive pair of the KB, see KB_PAIR_COHESION), 1 only a
        dictionary word the KB does not use, 0 no word."""
        v, freq = self.vocab, jieba_freq()
        for a, b in ((i - 1, i + 1), (i, i + 2)):
            if a < 0 or b > len(text):
                continue
            pair = text[a:b]
            n = v.kb_bi.get(pair, 0)
            if n >= KB_WORD_MIN and n >= KB_PAIR_COHESION * min(v.kb_uni.get(pair[0], 0), v.kb_uni.get(pair[1], 0)):
                return 2
        fit = 0
        for n in (2, 3, 4):
            for start in range(max(0, i - n + 1), min(i, len(text) - n) + 1):
                word = text[start : start + n]
                if freq.get(word, 0) >= max(1, v.word_min_freq):
                    if self.kb_count(word) >= 1:
                        return 2
                    fit = 1
        return fit

    def kb_count(self, word: str) -> float:
        """How often the KB uses ``word`` (its rarest pair: an upper bound for longer words)."""
        return min(self.vocab.kb_bi.get(word[j : j + 2], 0) for j in range(len(word) - 1))

    def replaces_word(self, typed: str, new: str) -> bool:
        """May the word ``typed`` become ``new``? Only if ``new`` is a dictionary word the KB uses,
        and the KB prefers it by REAL_WORD_EVIDENCE × what general language prefers."""
        freq = jieba_freq()
        if freq.get(new, 0) < max(1, self.vocab.word_min_freq) or self.kb_count(new) < KB_WORD_MIN:
            return False
        kb_prefers = (self.kb_count(new) + 1) / (self.kb_count(typed) + 1)
        general_prefers = freq.get(typed, 0) / freq[new]
        return kb_prefers >= REAL_WORD_EVIDENCE * max(1.0, general_prefers)

    def replaces_part(self, text: str, new: str, a: int, b: int, i: int) -> bool:
        """May the word ``text[a:b]`` change at ``i`` into ``new[a:b]``: as a whole, or as the
        dictionary word inside it that holds ``i`` (登陆密码: 登陆 → 登录)?"""
        if self.replaces_word(text[a:b], new[a:b]):
            return True
        freq = jieba_freq()
        return any(
            freq.get(text[s : s + n], 0) > 0 and self.replaces_word(text[s : s + n], new[s : s + n])
            for n in range(2, b - a)
            for s in range(max(a, i - n + 1), min(i, b - n) + 1)
        )

    def best_edit(self, text: str, frozen: set[int] | frozenset = frozenset()) -> tuple[float, int, str, str] | None:
        """The single substitution with the largest gain over its cost, if any gains."""
        v = self.vocab
        padded = BOS + text + EOS
        best = None
        words = self.words(text)
        for i, ch in enumerate(text):
            if not is_cjk(ch) or i in frozen:
                continue
            left, right = padded[i], padded[i + 2]
            if max(v.kb_bi.get(left + ch, 0), v.kb_bi.get(ch + right, 0)) >= FITS_KB:
                continue
            base = v.logp(left, ch) + v.logp(ch, right)
            spans = [(a, b) for a, b in words if a <= i < b]
            succ, pred = v.succ.get(left, ()), v.pred.get(right, ())
            for c, kind in self.candidates(ch).items():
                if c not in succ and c not in pred:
                    continue
                new = text[:i] + c + text[i + 1 :]
                fit = self.word_fit(new, i)
                if not fit:
                    continue  # 自己选还款 → 自己还还款: no word at all
                if spans and not all(self.replaces_part(text, new, a, b, i) for a, b in spans):
                    continue  # 卡死 → 卡时, 统一 → 同一: the word typed stays
                gain = v.logp(left, c) + v.logp(c, right) - base - self.costs[kind]
                if fit == 1:
                    gain -= OUTSIDE_KB_COST
                if gain > 0 and (best is None or gain > best[0]):
                    best = (gain, i, c, kind)
        return best

    def correct_run(self, run: str) -> tuple[str, list[tuple[str, str, str]]]:
        """Correct one CJK run, one edit at a time, at most ``max_edits`` edits."""
        edits = []
        frozen = self.frozen(run)
        for _ in range(self.max_edits):
            best = self.best_edit(run, frozen)
            if best is None:
                break
            _, i, c, kind = best
            edits.append((kind, run[i], c))
            run = run[:i] + c + run[i + 1 :]
            frozen = frozen | {i}  # a repaired character is not repaired again
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
    """Folding, pinyin conversion and typo correction of a whole query.

    What is typed in latin letters is converted only when it is a word of its own that reads as
    pinyin: never inside a code (letters with digits or dashes), never when typed in capitals, never
    a latin word the KB or a curator uses. Curator domain words (``protected``) are never changed.
    """

    def __init__(self, vocab: Vocabulary, typos: bool = True, pinyin: bool = True, protected=(), **kw):
        self.vocab = vocab
        self.protected = frozenset(fold(w) for w in protected)
        self.typos = TypoCorrector(vocab, protected=self.protected, **kw.get("typo_kw", {})) if typos else None
        self.pinyin = PinyinConverter(vocab, **kw.get("pinyin_kw", {})) if pinyin else None

    def correct(self, query: str) -> Correction:
        """Repair a query; ``Correction.text`` is folded text ready for the tokenizer."""
        return self.repair(fold(query), original=query)

    def repair(self, folded: str, original: str | None = None) -> Correction:
        """Repair already folded text (the search folds a query once, then repairs it once);
        ``original``, the text as typed, tells which latin was typed in capitals."""
        text = folded
        query = folded if original is None else original
        edits: list[tuple[str, str, str]] = []
        if self.pinyin:
            text = self._convert_latin(text, edits, self._kept_latin(text, query))
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

    def _kept_latin(self, folded: str, original: str) -> tuple[set[int], set[str]]:
        """What is never read as pinyin: the positions of codes in ``folded``, and the latin
        words typed in capitals or kept whole by a curator."""
        inside = {i for m in CODE_RE.finditer(folded) for i in range(m.start(), m.end())}
        words = {w.lower() for w in CAPITALS_RE.findall(unicodedata.normalize("NFKC", original))}
        return inside, words | {w for w in self.protected if w.isascii()}

    def _convert_latin(self, text: str, edits: list, kept: tuple[set[int], set[str]] = (set(), set())) -> str:
        """Replace pinyin latin runs in place, using the CJK characters touching them."""
        inside, words = kept
        out, last = [], 0
        for m in LATIN_GROUP_RE.finditer(text):
            run, start, end = m.group(0), m.start(), m.end()
            if start in inside or end - 1 in inside:
                continue  # part of a code
            if any(p in words for p in SEPARATORS_RE.split(run)):
                zh = self._convert_parts(run, words)
            else:
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

    def _convert_parts(self, run: str, kept: set[str] = frozenset()) -> str | None:
        """Fallback for "tq huankuan": convert each space-separated word on its own (but those
        in ``kept``)."""
        parts = [p for p in SEPARATORS_RE.split(run) if p]
        pieces = [p if p in kept else self.pinyin.convert_run(p, BOS, EOS) or p for p in parts]
        return " ".join(pieces) if pieces != parts else None
