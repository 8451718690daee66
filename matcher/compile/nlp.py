"""The spaCy pipeline: a blank English tokenizer plus a lexicon entity component.

No statistical model is used (none can be downloaded where msmatch runs): the ``msmatch_lexicon``
component is a PhraseMatcher over every lexicon term (drugs, classes, conditions, subtypes, labs,
vaccines), matched on lower-cased tokens, longest match winning.  Built once per process.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import spacy
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from ..lexicon import Lexicon, get_lexicon, normalise

LABELS = {"drugs": "DRUG", "drug_classes": "DRUG_CLASS", "conditions": "CONDITION",
          "ms_subtypes": "MS_SUBTYPE", "labs": "LAB", "vaccines": "VACCINE"}
COMPONENT = "msmatch_lexicon_v1"


@dataclass(frozen=True)
class Entity:
    label: str  # DRUG, DRUG_CLASS, ...
    id: str
    text: str
    start: int  # character offsets in the criterion text
    end: int


class LexiconComponent:
    """Matches lexicon terms and sets ``doc.ents`` with the entry id as ``ent_id_``."""

    def __init__(self, nlp: Language, lexicon: Lexicon):
        self.matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.ids: dict[str, str] = {}
        for kind, label in LABELS.items():
            patterns: dict[str, list[Doc]] = {}
            for term, entry in lexicon.terms(kind).items():
                key = f"{label}|{entry.id}"
                patterns.setdefault(key, [])
                for variant in {term, *_surface_forms(entry, term)}:
                    patterns[key].append(nlp.make_doc(variant))
            for key, docs in patterns.items():
                self.matcher.add(key, docs)

    def __call__(self, doc: Doc) -> Doc:
        spans = []
        for match_id, start, end in self.matcher(doc):
            key = doc.vocab.strings[match_id]
            label, entry_id = key.split("|", 1)
            spans.append(Span(doc, start, end, label=label, kb_id=entry_id))
        doc.ents = filter_spans(spans)
        return doc


def _surface_forms(entry, term: str) -> set[str]:
    # Lexicon terms are normalised (punctuation folded); registry text keeps hyphens and slashes.
    return {original.lower() for original in entry.terms if normalise(original) == term}


@lru_cache(maxsize=1)
def get_nlp() -> Language:
    lexicon = get_lexicon()
    nlp = spacy.blank("en")

    # No annotations on the factory: spaCy resolves them at run time, and this module uses
    # postponed evaluation of annotations.
    @Language.factory(COMPONENT)
    def _make(nlp, name):  # registered once per process
        return LexiconComponent(nlp, lexicon)

    nlp.add_pipe(COMPONENT)
    return nlp


def find_entities(text: str) -> list[Entity]:
    doc = get_nlp()(text)
    return [Entity(ent.label_, ent.kb_id_, ent.text, ent.start_char, ent.end_char) for ent in doc.ents]
