"""Context of a mention: negation, exception, history, judgement, administrative.

The triggers are data (``rules/lexicons/context.jsonl``), in the manner of medspaCy's ConText; this
module is the small engine that reads them.  Scope is the clause: a trigger reaches forward to the
next clause boundary (";", ".", ":", "but", "except", "unless" ...).
"""

from __future__ import annotations

import json
import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Optional

from ..models.rules import Section
from .nlp import Entity, find_entities

_CLAUSE_BREAK_RE = re.compile(r"[;.:]\s|[;:]$|[()\[\]]|\bbut\b|\bwhile\b|\bwhereas\b|/|"
                              r"\bor\s+(?=no\b|not\b|unable\b|inability\b|without\b|never\b)", re.I)
# Phrases that contain a negation word but negate nothing (ConText's "pseudo" triggers).
# ("ALT no higher than 1.5 x ULN, and an eGFR of at least 60": a bound, which negates nothing after it)
_PSEUDO_NEGATION_RE = re.compile(r"not\s+(?:limited|restricted|necessarily|only)|"
                                 r"not?\s+(?:more|less|later|earlier|higher|greater|lower|fewer|older|younger|longer|"
                                 r"shorter|larger|smaller|sooner)\s+than|not\s+(?:exceeding|above|below)\b|"
                                 r"no\s+change|not\s+responding|non[\s-]?relapsing|with\s+or\s+without|"
                                 # "Thyroid dysfunction not adequately controlled by treatment, or ...": a state, like
                                 # "uncontrolled", that negates nothing after it
                                 r"not\s+(?:(?:adequately|well|sufficiently|properly|optimally)\s+)?controlled|"
                                 # ("not adequately managed with at least one anticholinergic", "obstructive sleep
                                 # apnoea not treated with CPAP, restless legs syndrome": how it was treated)
                                 r"not\s+(?:(?:yet\s+)?(?:adequately|well|sufficiently|properly|optimally)\s+)?"
                                 r"(?:managed|treated|responsive|responding)\s+(?:with|by|to)\b|"
                                 # "Implanted devices that are not compatible with MRI, such as a cardiac pacemaker":
                                 # what the devices are, not a denial of the examples
                                 r"not\s+(?:MRI?[\s-]+)?(?:compatible|safe|conditional)\b", re.I)
NEGATION_SCOPE_WORDS = 8
# A parenthesis holding no other: "(Lublin et al. 2014)", "(HBsAg and HBcAb)".
PARENTHESIS_RE = re.compile(r"\([^()]*\)")


@lru_cache(maxsize=1)
def triggers() -> dict[str, re.Pattern]:
    path = resources.files("matcher.rules") / "lexicons" / "context.jsonl"
    by_category: dict[str, list[str]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            by_category.setdefault(row["category"], []).append(row["literal"])
    return {
        category: re.compile(
            r"(?<![\w-])(?:" + "|".join(re.escape(lit).replace(r"\ ", r"\s+")
                                        for lit in sorted(literals, key=len, reverse=True)) + r")(?![\w-])",
            re.I)
        for category, literals in by_category.items()
    }


def find(category: str, text: str) -> list[re.Match]:
    return list(triggers()[category].finditer(text))


def has(category: str, text: str) -> bool:
    return triggers()[category].search(text) is not None


def clause_start(text: str, position: int) -> int:
    """Where the clause holding ``position`` starts: just after the last clause break before it.

    The breaks of the whole text are found once per text. Only the stretch just before ``position`` is
    scanned again with the scan stopping there, where a break reads differently when the text ends at
    ``position`` ("[;:]$", "or" before "not"): the same result as scanning from the start, in linear time."""
    ends = _clause_break_ends(text)
    settled = bisect_right(ends, position - _RESCAN) - 1
    start = ends[settled] if settled >= 0 else 0
    rescan = max(start, position - _RESCAN)
    while rescan > start and text[rescan - 1].isspace():  # an "or" before a long run of spaces
        rescan -= 1
    for match in _CLAUSE_BREAK_RE.finditer(text, max(start, rescan - _RESCAN), position):
        start = match.end()
    return start


def scope_start(text: str, position: int) -> int:
    """Where the look-back of a trigger before ``position`` starts: its clause, but no more than
    ``_SCOPE_CHARS`` back (at a word boundary), so that a clause of 100,000 characters without a break is
    not read again for every mention. Only the last :data:`NEGATION_SCOPE_WORDS` words are used."""
    start = clause_start(text, position)
    while start and text[start - 1] == ")" and position - start <= _SCOPE_CHARS:
        # "negative for hepatitis B (HBsAg and HBcAb), for hepatitis C and for tuberculosis": after its parenthesis
        # the clause goes on
        opening = text.rfind("(", 0, start - 1)
        if opening < 0 or ")" in text[opening + 1:start - 1]:
            break
        start = clause_start(text, opening)
    if position - start <= _SCOPE_CHARS:
        return start
    space = _SPACE_RE.search(text, position - _SCOPE_CHARS, position)
    return space.end() if space else position


_SCOPE_CHARS = 1000
_SPACE_RE = re.compile(r"\s+")
_RESCAN = 16  # longer than any clause break but "or" + spaces, plus its look-ahead


@lru_cache(maxsize=8)
def _clause_break_ends(text: str) -> list[int]:
    return [match.end() for match in _CLAUSE_BREAK_RE.finditer(text)]


def opposite(polarity: str) -> str:
    return "exclude" if polarity == "require" else "require"


def negated_at(text: str, position: int) -> bool:
    """Whether a negation trigger governs ``position`` (same clause, before it). A term that opens with a negation
    of its own ("unable to undergo MRI": a contraindication) is what it says, whatever comes before it."""
    if triggers()["NEGATION"].match(text, position):
        return False
    opening = text.rfind("(", 0, position)
    listed = opening > 0 and ")" not in text[opening:position] and _LISTED_PAREN_RE.match(text, opening + 1)
    if listed and not _EXAMPLES_OPEN_RE.match(text, opening + 1):
        # ("No history of clinical symptoms suggestive of an acute demyelinating event (optic neuritis, myelitis, ...)":
        # a negation that opens the clause governs its whole noun phrase and the list that spells it out)
        head = text[clause_start(text, opening):opening]
        if _CLAUSE_NEGATION_RE.match(head) and not re.search(r",\s*(?:or|and)\b|\b(?:but|except|unless)\b", head, re.I):
            return True
    if opening > 0 and ")" not in text[opening:position] and _EXAMPLES_OPEN_RE.match(text, opening + 1):
        # "no concurrent weight-loss treatment (for example orlistat, liraglutide or semaglutide)": the examples take
        # the negation of the term they exemplify (however far it stands), and any of their own
        # (not the causes of an inability: "Inability to undergo MRI (e.g. pacemaker, claustrophobia)" names them)
        before = list(triggers()["NEGATION"].finditer(text, scope_start(text, opening), opening))
        if negated_at(text, opening) and before and not _ITEM_BOUNDED_RE.fullmatch(before[-1].group(0)) \
                and not re.search(r"unable|inability|cannot|can\s*not", before[-1].group(0), re.I):
            return True
    start = scope_start(text, position)
    # (read from a little before the clause: "with or without head tremor" may be cut at its "or")
    lead = min(start, 12)
    scope = _PSEUDO_NEGATION_RE.sub(lambda m: " " * len(m.group(0)), text[start - lead:position])[lead:]
    scope = PARENTHESIS_RE.sub(" ", scope)  # a parenthesis the clause goes on after negates nothing beyond it
    words = scope.split()
    scope = " ".join(words[-NEGATION_SCOPE_WORDS:])
    negations = list(triggers()["NEGATION"].finditer(scope))
    if not negations:
        return False
    # "Inability to undergo MRI with gadolinium, or an eGFR below 30": what comes after ", or" is another item, not
    # something the patient is unable to do (", or to receive gadolinium" still is); "Anti-JCV antibody negative, or
    # an index of 1.5 or less": a result word ends its item
    last = negations[-1]
    return not (_ITEM_BOUNDED_RE.fullmatch(last.group(0)) and _NEW_ITEM_RE.search(scope, last.end()))


# ("No history of clinical symptoms suggestive of an acute demyelinating event (optic neuritis, myelitis, brainstem or
# cerebellar syndrome)": a list in a parenthesis names what the term means, and takes its negation too)
_CLAUSE_NEGATION_RE = re.compile(r"\s*(?:no|never|absence\s+of|free\s+of)\b", re.I)
_LISTED_PAREN_RE = re.compile(r"[A-Za-z][\w'-]*(?:\s+[A-Za-z][\w'-]*){0,3}\s*,\s*[A-Za-z][^()\d]*\)")
_EXAMPLES_OPEN_RE = re.compile(r"\s*(?:e\.\s*g\.?|for\s+(?:example|instance)|such\s+as|including|like)\b", re.I)
_ITEM_BOUNDED_RE = re.compile(r"unable|inability\s+to|cannot|unwilling|refuse|refusal|without|negative", re.I)
_NEW_ITEM_RE = re.compile(r",\s*(?:or|and)\b(?!\s+(?:to|unable|unwilling)\b)", re.I)


def exception_start(text: str) -> Optional[int]:
    """Where an exception clause ("except ...", "other than ...") begins, if any."""
    trigger = exception_trigger(text)
    return trigger.start() if trigger else None


@lru_cache(maxsize=64)
def exception_trigger(text: str) -> Optional[re.Match]:
    """The first exception trigger ("except", "other than", ...) in ``text`` (asked once per clause of a criterion:
    cached, a long criterion made it quadratic)."""
    return next((m for m in triggers()["EXCEPTION"].finditer(text) if not is_pseudo_exception(text, m)), None)


# "including but not limited to:" lists; it excepts nothing ("but not" is otherwise an exception trigger).
_PSEUDO_EXCEPTION_RE = re.compile(r"\s+(?:are\s+|is\s+)?(?:limited|restricted|necessarily|exclusively)\b", re.I)


def is_pseudo_exception(text: str, trigger: re.Match) -> bool:
    return _PSEUDO_EXCEPTION_RE.match(text, trigger.end()) is not None


@dataclass
class Context:
    """A criterion being compiled: its text, section, lexicon entities and consumed spans."""

    text: str
    section: Section
    criterion_id: str = ""
    span: tuple[int, int] = (0, 0)
    entities: list[Entity] = field(default_factory=list)
    consumed: list[tuple[int, int]] = field(default_factory=list)
    # Spans a family read but could not state ("severe depression"): the criterion is partial however short.
    unstated: list[tuple[int, int]] = field(default_factory=list)
    # Spans the record cannot show, all in words no residue names ("that has not been treated", "or during the
    # screening period"): a person checks them unless a rule of the criterion already asks one
    checks: list[tuple[int, int]] = field(default_factory=list)
    # Spans the disease duration read ("first MS symptoms within the previous 20 years"): no activity window
    dated: list[tuple[int, int]] = field(default_factory=list)
    # The treatment family read the criterion clause by clause, each clause's rules with their own qualifiers
    by_clause: bool = False
    _merged_key: tuple = field(default=(), repr=False, compare=False)
    _merged: tuple = field(default=((), ()), repr=False, compare=False)

    @classmethod
    def of(cls, text: str, section: Section, criterion_id: str = "", span: tuple[int, int] = (0, 0)) -> "Context":
        return cls(text=text, section=section, criterion_id=criterion_id, span=span,
                   entities=find_entities(text))

    def entities_of(self, *labels: str) -> list[Entity]:
        return [e for e in self.entities if e.label in labels]

    def consume(self, start: int, end: int) -> None:
        self.consumed.append((start, end))

    def is_consumed(self, position: int) -> bool:
        """Whether a consumed span holds ``position``: a bisection over the merged spans, rebuilt when spans were
        added, so that checking every mention of a long criterion stays near-linear."""
        starts, ends = self._merged_spans()
        at = bisect_right(starts, position) - 1
        return at >= 0 and position < ends[at]

    def touches_consumed(self, start: int, end: int) -> bool:
        """Whether any consumed span overlaps ``[start, end)``."""
        starts, ends = self._merged_spans()
        at = bisect_right(starts, end - 1) - 1  # the last span starting inside or before the range
        return at >= 0 and ends[at] > start

    def _merged_spans(self) -> tuple:
        key = (id(self.consumed), len(self.consumed))
        if self._merged_key != key:
            self._merged_key, self._merged = key, _merge_spans(self.consumed)
        return self._merged

    def base_polarity(self, position: int, window=None) -> str:
        """require/exclude for a predicate mentioned at ``position``, after negation.

        Negation flips the section's polarity ("No relapse ..." in an inclusion list), and so does a
        minimum gap ("last relapse at least 2 months before entry" = no relapse within 2 months), given
        the :class:`~matcher.compile.quantities.FoundWindow` the rule uses. In an exclusion list a
        prohibition ("participants may not take part in another trial") restates the exclusion: it
        does not flip it.
        """
        positive = self.section == "inclusion"
        if self.negated(position):
            positive = not positive
        elif window is not None and getattr(window, "gap", False) and not self._unless_before(window.start):
            positive = not positive  # "no cannabinoid use at least 7 days before entry" is a loose "within"
        return "require" if positive else "exclude"

    def _entity_end(self, position: int) -> int:
        """The end of the longest entity starting at ``position`` (``position`` itself if none does): a bisection
        over the entities, sorted by start, as ``negated`` runs once per mention."""
        at = bisect_left(self.entities, position, key=lambda e: e.start)
        end = position
        while at < len(self.entities) and self.entities[at].start == position:
            end = max(end, self.entities[at].end)
            at += 1
        return end

    def _unless_before(self, position: int) -> bool:
        """Whether ``position`` lies in an "unless" clause of its sentence: "prior rituximab, unless the last dose
        was more than 12 months before screening" excludes rituximab within 12 months (the gap is the way out)."""
        sentence = self.text.rfind(".", 0, position) + 1
        return UNLESS_RE.search(self.text, sentence, position) is not None

    def negated(self, position: int) -> bool:
        if _FREE_AFTER_RE.match(self.text, _word_end(self.text, position)) or \
                _FREE_AFTER_RE.match(self.text, self._entity_end(position)):
            return True  # "relapse-free", "steroid free", "AQP4 antibody negative"
        if _ABILITY_RE.match(self.text, position):
            return True  # "Able to undergo MRI": the inability the entry names is absent
        if not negated_at(self.text, position):
            return False
        if self.section == "exclusion":
            scope = self.text[scope_start(self.text, position):position]
            negations = list(triggers()["NEGATION"].finditer(scope))
            if negations and _PROHIBITION_RE.search(scope[:negations[-1].end()]):
                return False
        return True


def _merge_spans(spans: list[tuple[int, int]]) -> tuple[list[int], list[int]]:
    starts: list[int] = []
    ends: list[int] = []
    for start, end in sorted(span for span in spans if span[0] < span[1]):
        if ends and start <= ends[-1]:
            ends[-1] = max(ends[-1], end)
        else:
            starts.append(start)
            ends.append(end)
    return starts, ends


UNLESS = r"\bunless\b|\bexcept\s+(?:if|when|where)\b"
UNLESS_RE = re.compile(UNLESS, re.I)
# A proviso that lets some patients in: "unless ...", "... are eligible only if they have completed prophylaxis"
PROVISO = UNLESS + r"|\beligible\s+only\s+(?:if|when)\b"
# "relapse-free", "steroid free", "HIV negative", "HIV-negative", "HIV seronegative", "disease-modifying therapy naive"
_FREE_AFTER_RE = re.compile(r"[\s-]?free\b|[\s-]+(?:sero)?negative\b|\s+(?:(?:has|have|was|were|is|been)\s+){0,2}ruled\s+out\b|[\s-]+(?:treatment[\s-]+)?na[iï]ve\b(?!\s*,?\s*or\b)", re.I)
# An inability stated as an ability: a lexicon term that opens so (the MRI contraindication's "able to undergo MRI")
_ABILITY_RE = re.compile(r"able\s+to\b", re.I)
_PROHIBITION_RE = re.compile(r"\b(?:may|must|should|shall|can|will)\s*not$|\bcannot$|\bmay\s+no\s+longer$", re.I)


_WORD_RE = re.compile(r"\w+")


def _word_end(text: str, position: int) -> int:
    match = _WORD_RE.match(text, position)
    return match.end() if match else position
