"""The spaCy pipeline: a blank English tokenizer plus a lexicon entity component.

No statistical model is used (none can be downloaded where msmatch runs): the ``msmatch_lexicon``
component is a PhraseMatcher over every lexicon term (drugs, classes, conditions, subtypes, labs,
vaccines), matched on lower-cased tokens, longest match winning.  Built once per process.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import spacy
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import compile_suffix_regex, filter_spans

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
            terms = lexicon.terms(kind)
            for term, entry in terms.items():
                key = f"{label}|{entry.id}"
                patterns.setdefault(key, [])
                variants = {term, *_surface_forms(entry, term)}
                if kind == "conditions":  # ("Open or infected pressure sores": the plural the entry does not list)
                    variants |= {plural for variant in variants for plural in [_plural(variant)]
                                 if plural and plural not in terms}
                for variant in variants:
                    doc = nlp.make_doc(variant)
                    patterns[key].append(doc)
                    joined = [t.i for t in doc if _joining_hyphen(doc, t.i)]
                    if joined:  # (the same term on tokens without its hyphens: _across_inserts)
                        patterns[key].append(Doc(nlp.vocab, words=[t.text for t in doc if t.i not in joined]))
            for key, docs in patterns.items():
                self.matcher.add(key, docs)
        # Wordings a phrase list cannot enumerate ("unable to successfully undergo a brain MRI scan"): an entry's
        # optional ``patterns`` are regular expressions, matched case-insensitively on whole words.
        self.regexes = [(re.compile(rf"(?<![\w-])(?:{pattern})(?![\w-])", re.I), label, entry.id)
                        for kind, label in LABELS.items() for entry in lexicon.entries[kind].values()
                        for pattern in entry.data.get("patterns", ())]
        # An entry's optional ``not_after``: words that, just before a match, make it something else ("symptomatic
        # MS therapy" is no disease-modifying therapy)
        self.not_after = {f"{label}|{entry.id}": {word.lower() for word in entry.data["not_after"]}
                          for kind, label in LABELS.items() for entry in lexicon.entries[kind].values()
                          if entry.data.get("not_after")}

    def _kept(self, span: Span, text: str) -> bool:
        doc = span.doc
        if span.label_ == "MS_SUBTYPE" and span.end < len(doc) and _NOT_A_COURSE_AFTER_RE.match(doc[span.end].text):
            return False  # "any MS therapy", "any MS relapse": the disease names the therapy or event, not a course
        if span.label_ == "DRUG" and _EQUIVALENT_AFTER_RE.match(text, span.end_char):
            return False  # "15 mg/day prednisone equivalent": a unit of dose, not a treatment
        if span.label_ == "DRUG" and _STUDY_CODE_AFTER_RE.match(text, span.end_char):
            return False  # "study TG1101-RMS301", "CFTY720D2301": the code of a study, not a treatment
        if span.label_ in ("DRUG", "DRUG_CLASS") and _PROCESS_AFTER_RE.match(text, span.end_char):
            return False  # "vitamin D metabolism", "insulin resistance", "natalizumab trough concentration": no use
        if span.label_ == "DRUG_CLASS" and _A_STATE_AFTER_RE.match(text, span.end_char):
            return False  # "any known immunosuppressive condition": a state of the patient, no drug
        if span.label_ == "CONDITION" and _ANTI_BEFORE_RE.search(text, max(0, span.start_char - 5), span.start_char) \
                and _DRUG_NOUN_AFTER_RE.match(text, span.end_char):
            return False  # "an anti-anxiety medication", "anti-epileptic drugs": what a drug acts against
        if span.label_ == "CONDITION" and _LIKE_AFTER_RE.match(text, span.end_char):
            return False  # "drug-induced lupus-like syndrome", "flu-like symptoms": resembling it, not it
        if span.label_ == "LAB" and _RATIO_AFTER_RE.match(text, span.end_char) \
                and _RATIO_BEFORE_RE.search(text, max(0, span.start_char - 8), span.start_char):
            return False  # "urine protein/creatinine ratio", "albumin-to-creatinine ratio": the ratio, another test
        if span.label_ == "LAB" and _RATIO_NUMERATOR_RE.match(text, span.end_char):
            return False  # (and its numerator: "albumin" of "albumin-to-creatinine ratio")
        words = self.not_after.get(f"{span.label_}|{span.kb_id_}")
        return not (words and span.start > 0 and doc[span.start - 1].lower_ in words)

    def __call__(self, doc: Doc) -> Doc:
        spans = []
        text = doc.text  # built from the tokens on every access: once
        for match_id, start, end in self.matcher(doc):
            key = doc.vocab.strings[match_id]
            label, entry_id = key.split("|", 1)
            spans.append(Span(doc, start, end, label=label, kb_id=entry_id))
        for regex, label, entry_id in self.regexes:
            for found in regex.finditer(text):
                span = doc.char_span(found.start(), found.end(), label=label, kb_id=entry_id, alignment_mode="expand")
                if span is not None:
                    spans.append(span)
        spans.extend(self._across_inserts(doc))
        doc.ents = filter_spans([span for span in spans if self._kept(span, text)])
        return doc

    def _across_inserts(self, doc: Doc) -> list[Span]:
        """Terms that carry their abbreviation inside them ("sphingosine 1-phosphate (S1P) receptor modulator",
        "monoamine oxidase (MAO) inhibitors"), a word of their own in brackets ("a permanent (indwelling) catheter")
        or a hyphen where the lexicon has a space ("H2-receptor antagonist"). Matched on the tokens without the
        abbreviation, the brackets or the hyphen; only the matches that span one are new."""
        kept, index, removed = [], 0, False
        while index < len(doc):
            if 0 < index and index + 3 < len(doc) and doc[index].text == "(" and doc[index + 2].text == ")" \
                    and _ABBREVIATION_RE.fullmatch(doc[index + 1].text):
                index, removed = index + 3, True
                continue
            if 0 < index and index + 3 < len(doc) and doc[index].text == "(" and doc[index + 2].text == ")" \
                    and _QUALIFIER_WORD_RE.fullmatch(doc[index + 1].text):
                kept.append(index + 1)
                index, removed = index + 3, True
                continue
            if _joining_hyphen(doc, index):
                index, removed = index + 1, True
                continue
            kept.append(index)
            index += 1
        if not removed:
            return []
        reduced = Doc(doc.vocab, words=[doc[k].text for k in kept])
        spans = []
        for match_id, start, end in self.matcher(reduced):
            first, last = kept[start], kept[end - 1] + 1
            if last - first != end - start:
                label, entry_id = doc.vocab.strings[match_id].split("|", 1)
                spans.append(Span(doc, first, last, label=label, kb_id=entry_id))
        return spans


def _joining_hyphen(doc: Doc, index: int) -> bool:
    """A hyphen token between two words, with no space on either side ("H2-receptor")."""
    return 0 < index < len(doc) - 1 and doc[index].text == "-" and not doc[index - 1].whitespace_ \
        and not doc[index].whitespace_


# a qualifying word in brackets, read as part of the term: "(indwelling)"
_QUALIFIER_WORD_RE = re.compile(r"[a-z][a-z-]{2,}")
# an abbreviation defined in passing: "S1P", "MAO", "HIV-1", "TNF"
_ABBREVIATION_RE = re.compile(r"(?=[^a-z]*[A-Z])[A-Za-z0-9][A-Za-z0-9-]{0,9}")
# the denominator of a ratio: "protein/creatinine ratio", "albumin-to-creatinine ratio", "albumin to creatinine ratio"
_RATIO_AFTER_RE = re.compile(r"\s*ratios?\b", re.I)
_RATIO_BEFORE_RE = re.compile(r"(?:/|-to-|\sto\s)\s*$", re.I)
_RATIO_NUMERATOR_RE = re.compile(r"\s*(?:/|-to-|\s+to\s+)\s*[\w-]+\s+ratios?\b", re.I)
_A_STATE_AFTER_RE = re.compile(r"\s+(?:conditions?|states?|disorders?|diseases?|illness(?:es)?)\b", re.I)
_ANTI_BEFORE_RE = re.compile(r"\banti-?$", re.I)
_DRUG_NOUN_AFTER_RE = re.compile(r"\s*(?:medications?|medicines?|drugs?|agents?|therap(?:y|ies)|treatments?)\b", re.I)
_LIKE_AFTER_RE = re.compile(r"-?like\b", re.I)
_EQUIVALENT_AFTER_RE = re.compile(r"[\s-]*equivalents?\b", re.I)
_STUDY_CODE_AFTER_RE = re.compile(r"-?[A-Z]{0,6}\d{3,}\b")
_PROCESS_AFTER_RE = re.compile(r"\s+(?:metabolism|absorption|synthesis|resistance|(?:(?:trough|serum|plasma|blood)\s+)?"
                               r"(?:concentrations?|levels?))\b", re.I)
_NOT_A_COURSE_AFTER_RE = re.compile(r"(?:therap|treatment|drug|medication|medicine|DMT|relapse|exacerbation|attack|flare)",
                                    re.I)


def _plural(term: str) -> Optional[str]:
    """The regular plural of a term ending in a lowercase noun ("pressure sore" -> "pressure sores"); None for an
    abbreviation, a plural already or a word too short to tell."""
    head, _, last = term.rpartition(" ")
    if not re.fullmatch(r"[a-z]{4,}", last) or re.search(r"(?:s|x|z|ch|sh|ed|ing|ic|al|ive|ous|ary|ant|ent)$", last):
        return None
    plural = last[:-1] + "ies" if re.search(r"[^aeiou]y$", last) else last + "s"
    return f"{head} {plural}" if head else plural


def _surface_forms(entry, term: str) -> set[str]:
    # Lexicon terms are normalised (punctuation folded); registry text keeps hyphens and slashes.
    return {original.lower() for original in entry.terms if normalise(original) == term}


@lru_cache(maxsize=1)
def get_nlp() -> Language:
    lexicon = get_lexicon()
    nlp = spacy.blank("en")
    # English keeps "B." as one token (an initial): "History of hepatitis B." must end with "B" to match.
    nlp.tokenizer.rules = {key: value for key, value in nlp.tokenizer.rules.items()
                           if not re.fullmatch(r"[A-Za-z]\.", key)}
    nlp.tokenizer.suffix_search = compile_suffix_regex([*nlp.Defaults.suffixes, r"(?<=[A-Z])\."]).search

    # No annotations on the factory: spaCy resolves them at run time, and this module uses
    # postponed evaluation of annotations.
    @Language.factory(COMPONENT)
    def _make(nlp, name):  # registered once per process
        return LexiconComponent(nlp, lexicon)

    nlp.add_pipe(COMPONENT)
    return nlp


def find_entities(text: str) -> list[Entity]:
    doc = get_nlp()(text)
    entities = [Entity(ent.label_, ent.kb_id_, ent.text, ent.start_char, ent.end_char) for ent in doc.ents]
    entities = _systemic_by_route(text, _treatments_for(text, entities))
    entities = _sites_of_one_head(text, entities)
    entities = entities + _elided(text, entities) + _members_named_together(text, entities)
    return sorted(entities + _elided_before_unknown(text, entities), key=lambda e: e.start)


# "corticosteroids (IV, IM or PO)", "chronic corticosteroid therapy (> 30 consecutive days; IV, IM or PO)": routes
# that all reach the whole body make the class its systemic part
# ("corticosteroid treatment (intravenous pulse or oral)")
_SYSTEMIC_ROUTE = r"(?:(?:IV|IM|PO|SC|i\.v\.|i\.m\.|p\.o\.|oral(?:ly)?|intravenous(?:ly)?|intramuscular(?:ly)?|" \
                  r"subcutaneous(?:ly)?|by\s+mouth)(?:\s+(?:pulses?|bolus|infusions?|tablets?))?|pulsed?|pulses)"
_SYSTEMIC_ROUTES_RE = re.compile(rf"\s*(?:(?:use|treatment|therapy|administration)\s*)?\((?:(?:[^();]*;\s*)?{_SYSTEMIC_ROUTE}"
                                 rf"(?:\s*(?:,|/|\bor\b|\band\b|\band/or\b)\s*{_SYSTEMIC_ROUTE})*|"
                                 # "(more than 30 consecutive days, by any systemic route)"
                                 rf"[^()]*?\b(?:by|via)\s+(?:any|a)\s+systemic\s+route)\s*\)", re.I)
_SYSTEMIC_PART = {"corticosteroid": "systemic_corticosteroid"}
_PARENTERAL_BEFORE_RE = re.compile(r"\b(?:parenteral|intramuscular|injected|injectable)\s+$", re.I)
# "corticosteroids, whether prescription or over-the-counter, by any systemic route", "corticosteroids by any route
# other than topical or inhaled"
_SYSTEMIC_AFTER_RE = re.compile(r"[^.;()]{0,60}?\b(?:by|via)\s+(?:any\s+|a\s+)?(?:systemic\s+route|route\s+other\s+than\s+"
                                r"(?:topical|inhaled|intra-?articular|local|cutaneous|nasal|ophthalmic))", re.I)


def _systemic_by_route(text: str, entities: list[Entity]) -> list[Entity]:
    found = []
    for entity in entities:
        routes = _SYSTEMIC_ROUTES_RE.match(text, entity.end) if entity.id in _SYSTEMIC_PART else None
        if routes and entity.label == "DRUG_CLASS":
            entity = Entity(entity.label, _SYSTEMIC_PART[entity.id], text[entity.start:routes.end()], entity.start,
                            routes.end())
        elif entity.id in _SYSTEMIC_PART and entity.label == "DRUG_CLASS" and (
                _PARENTERAL_BEFORE_RE.search(text, max(0, entity.start - 20), entity.start)
                or _SYSTEMIC_AFTER_RE.match(text, entity.end)):
            # "parenteral corticosteroids": a systemic route (the route itself is the rule's qualifier)
            entity = Entity(entity.label, _SYSTEMIC_PART[entity.id], entity.text, entity.start, entity.end)
        found.append(entity)
    return found


# "medications for spasticity, pain, fatigue or depression", "drugs used to treat depression": the classes that
# treat what they name
_TREATMENT_FOR_RE = re.compile(r"\b(?:medications?|medicines?|drugs?|treatments?|therap(?:y|ies)|agents?|"
                               r"pharmacotherap(?:y|ies))\s+(?:(?:used|taken|given|prescribed)\s+)?(?:for|to\s+treat|"
                               r"against)\s+(?:the\s+)?(?:(?:symptoms?|treatment)\s+of\s+)?", re.I)
_LIST_GAP_RE = re.compile(r"\s*(?:,\s*(?:(?:or|and|and/or)\s+)?|\s+(?:or|and|and/or)\s+|\s*/\s*)", re.I)
_WORD_RE = re.compile(r"[A-Za-z][\w-]*")


_NOT_A_DRUG_BEFORE_RE = re.compile(r"\b(?:non[\s-]?(?:pharmacologic(?:al)?|drug|medication|medicinal)|physical|"
                                   r"rehabilitation|surgical|behaviou?ral|psychological)\s+$", re.I)


def _treatments_for(text: str, entities: list[Entity]) -> list[Entity]:
    """What a medication is for, named after it, becomes the drug class that treats it (the lexicon's ``treats``):
    each item of the list after the trigger, a condition or a word the classes list, until one is neither."""
    lexicon = get_lexicon()
    starting = {e.start: e for e in entities}
    replaced: dict[int, Entity] = {}  # start of the condition entity replaced -> its class
    added: list[Entity] = []
    for trigger in _TREATMENT_FOR_RE.finditer(text):
        if _NOT_A_DRUG_BEFORE_RE.search(text, max(0, trigger.start() - 30), trigger.start()):
            continue  # "Non-pharmacological treatments for spasticity (physiotherapy, ...)": no drug class
        at, first = trigger.end(), True
        while True:
            entity = starting.get(at)
            word = _WORD_RE.match(text, at) if entity is None else None
            treating = lexicon.class_treating(entity.id) if entity is not None and entity.label == "CONDITION" \
                else lexicon.class_treating(word.group()) if word else None
            if not treating:
                break
            end = entity.end if entity is not None else word.end()
            start = trigger.start() if first else at
            found = Entity("DRUG_CLASS", treating, text[start:end], start, end)
            if entity is not None:
                replaced[entity.start] = found
            else:
                added.append(found)
            gap = _LIST_GAP_RE.match(text, end)
            if not gap:
                break
            at, first = gap.end(), False
    return [replaced.get(e.start, e) for e in entities] + added


_KIND_OF_LABEL = {label: kind for kind, label in LABELS.items()}
# "renal or liver disease", "primary or secondary immunodeficiency": a modifier whose head is elided ...
_MODIFIER_BEFORE_RE = re.compile(r"(?<![\w-])(?P<mod>[A-Za-z0-9][\w-]*)\s*"
                                 r"(?:,\s*(?:(?:or|and|and/or)\s+)?|\s+(?:or|and|and/or)\s+|\s*/\s*)$", re.I)
# ... and "hepatitis B or C", "NYHA III or IV": a final qualifier whose head is elided.
# ("NYHA class III-IV", "grade 3 to 4": a range of two)
_QUALIFIER_AFTER_RE = re.compile(r"^\s*(?:,|or|and|and/or|/|-|–|to)\s*(?P<qual>[A-Za-z0-9]{1,4})\b(?![\w-])", re.I)
# ... and "diabetes mellitus (type 1 or type 2)" or "diabetes mellitus, type 1 or type 2,": qualifiers in
# parentheses or between commas, each naming a kind of the head.
_QUALIFIER_LIST = (r"(?:(?:type|class|grade|stage)\s+)?[A-Za-z0-9]{1,4}"
                   r"(?:\s*(?:,|or|and|and/or|/)\s*(?:(?:type|class|grade|stage)\s+)?[A-Za-z0-9]{1,4})+")
_PAREN_QUALIFIERS_RE = re.compile(rf"\s*\((?P<list>{_QUALIFIER_LIST})\s*\)|"
                                  rf",\s*(?P<list2>(?:type|class|grade|stage)\s+{_QUALIFIER_LIST})\s*(?=[,;.]|$)", re.I)
# ... and "NYHA class III or higher": every grade from the one named up
_OR_HIGHER_RE = re.compile(r"\s*(?:or|and)\s+(?P<word>higher|greater|above|worse|more\s+severe)\b", re.I)
_GRADES = (("I", "II", "III", "IV", "V"), ("1", "2", "3", "4", "5"))
_PAREN_QUALIFIER_RE = re.compile(r"\b(?:(?P<word>type|class|grade|stage)\s+)?(?P<qual>(?!or\b|and\b)[A-Za-z0-9]{1,4})\b", re.I)
_TWO_WORDS_BEFORE_RE = re.compile(r"(?<![\w-])([A-Za-z][\w-]*)\s+$")
_DEGREE_BEFORE_RE = re.compile(r"(?<![\w-])(?:untreated|inadequately\s+treated|not\s+adequately\s+treated)\s+$", re.I)
_NOT_MODIFIERS = {"with", "of", "or", "and", "any", "the", "a", "an", "no", "not", "other", "known", "history",
                  "current", "previous", "prior", "severe", "significant", "including", "e", "g"}


# A plural that names several lexicon terms at once: "transaminases above 3 times the upper limit of normal" is ALT and
# AST (the lexicon maps a term to one id, so the pair is named here)
_NAMED_TOGETHER = {re.compile(r"\b(?:(?:serum|liver|hepatic)\s+)?(?:transaminases|aminotransferases)\b", re.I):
                   (("LAB", "alt"), ("LAB", "ast"))}


def _members_named_together(text: str, entities: list[Entity]) -> list[Entity]:
    found = []
    for pattern, members in _NAMED_TOGETHER.items():
        for match in pattern.finditer(text):
            if not any(e.start < match.end() and match.start() < e.end for e in entities):
                found.extend(Entity(label, ident, match.group(0), match.start(), match.end()) for label, ident in members)
    return found


# "cancer of the bladder, uterus, cervix or ovary": one head over several sites, each "cancer of the <site>"
# (and "abuse of alcohol, medicine or illegal drugs": each "abuse of <substance>")
_SITES_OF_HEAD_RE = re.compile(r"\b(?:(?P<head>cancers?|carcinomas?|malignanc(?:y|ies)|tumou?rs?)\s+of\s+the|"
                               r"(?P<use>abuse|misuse)\s+of)\s+"
                               r"(?P<sites>[A-Za-z]+(?:\s*,\s*(?:the\s+)?[A-Za-z]+)*\s*,?\s*(?:or|and|and/or)\s+(?:the\s+)?"
                               r"(?:[A-Za-z]+\s+)?[A-Za-z]+)\b", re.I)


def _sites_of_one_head(text: str, entities: list[Entity]) -> list[Entity]:
    """The sites a shared head names, each a lexicon term ("cancer of the bladder, uterus, cervix or ovary": bladder,
    endometrial, cervical and ovarian cancer, not every cancer): the head's own entity gives way when every site is
    one."""
    lexicon = get_lexicon()
    for found in _SITES_OF_HEAD_RE.finditer(text):
        # (any head of the tumour kind is looked up as the lexicon spells its sites: "cancer of the ...", "carcinoma
        # of the ...")
        heads = [f"{found.group('use').lower()} of"] if found.group("use") else ["cancer of the", "carcinoma of the"]
        sites = re.split(r"\s*,\s*(?:(?:or|and|and/or)\s+)?|\s+(?:or|and|and/or)\s+", found.group("sites"))
        named, at = [], found.start("sites")
        for site in sites:
            site_at = text.find(site, at)
            at = site_at + len(site)
            site = re.sub(r"^the\s+", "", site, flags=re.I)
            match = next((m for m in (lexicon.lookup("conditions", f"{h} {site}", fuzzy=False) for h in heads) if m), None)
            if match is None:
                named = []
                break
            start = at - len(site)
            named.append(Entity("CONDITION", match.entry.id, site, start, at))
        if named:
            entities = [e for e in entities if not (found.start() <= e.start < found.end())] + named
    return sorted(entities, key=lambda e: e.start)


def _elided(text: str, entities: list[Entity]) -> list[Entity]:
    """Entities whose head noun the text shares with a neighbour: in "renal or liver disease" only "liver
    disease" is a lexicon term, but "renal disease" is meant too. A candidate counts only when the whole
    reconstructed phrase is a lexicon term of the same kind, and only where no entity already stands."""
    lexicon = get_lexicon()
    found: list[Entity] = []
    taken = [(e.start, e.end) for e in entities]
    for entity in entities:
        kind = _KIND_OF_LABEL.get(entity.label)
        words = entity.text.split()
        if kind is not None:
            found.extend(_parenthesised_kinds(text, entity, kind, taken))
        if kind is None or len(words) < 2:
            continue
        at = entity.start
        while True:  # back along a list of modifiers: "bacterial, viral or fungal infection"
            window = text[max(0, at - 40):at]
            # ("Active or untreated latent tuberculosis": the degree is the second item's; the first is "active TB")
            degree = _DEGREE_BEFORE_RE.search(window) if at == entity.start else None
            before = _MODIFIER_BEFORE_RE.search(window[:degree.start()] if degree else window)
            if not before or before.group("mod").lower() in _NOT_MODIFIERS:
                break
            start = at - len(window) + before.start("mod")
            # the shared head is the last word or more: "renal or liver disease", "T-cell or T-cell receptor
            # vaccination" (T-cell vaccination)
            match = next((m for m in (lexicon.lookup(kind, f"{before.group('mod')} {' '.join(words[k:])}", fuzzy=False)
                                      for k in range(1, len(words))) if m and m.entry.id != entity.id), None)
            two = _TWO_WORDS_BEFORE_RE.search(text, max(0, start - 30), start) if not match else None
            if two:  # "total body or total lymphoid irradiation": a modifier of two words (total body irradiation)
                match = next((m for m in (lexicon.lookup(kind, f"{two.group(1)} {before.group('mod')} {' '.join(words[k:])}",
                                                         fuzzy=False) for k in range(2, len(words)))
                              if m and m.entry.id != entity.id), None)
                start = two.start(1) if match else start
            if not match or any(s <= start < e for s, e in taken):
                break
            end = at - len(window) + before.end("mod")
            found.append(Entity(entity.label, match.entry.id, text[start:end], start, end))
            taken.append((start, end))
            at = start
        after = _QUALIFIER_AFTER_RE.match(text[entity.end:entity.end + 20])
        if after:
            candidate = f"{' '.join(words[:-1])} {after.group('qual')}"
            start, end = entity.end + after.start("qual"), entity.end + after.end("qual")
            match = lexicon.lookup(kind, candidate, fuzzy=False)
            if match and match.entry.id != entity.id and not any(s <= start < e for s, e in taken):
                found.append(Entity(entity.label, match.entry.id, text[start:end], start, end))
                taken.append((start, end))
        higher = _OR_HIGHER_RE.match(text, entity.end)
        if kind is not None and len(words) >= 2 and higher:
            start, end = higher.start("word"), higher.end()
            for grade in _grades_above(words[-1]):
                match = lexicon.lookup(kind, f"{' '.join(words[:-1])} {grade}", fuzzy=False)
                if not match or match.entry.id == entity.id or any(s <= start < e for s, e in taken):
                    break
                found.append(Entity(entity.label, match.entry.id, text[start:end], start, end))
    return found


# "neurological or ophthalmological disease": a first modifier whose head the next, unknown term carries
_MODIFIER_PAIR_RE = re.compile(r"(?<![\w-])(?P<mod>[A-Za-z][\w-]*)(?:\s*,\s*(?:or\s+|and\s+)?|\s+(?:or|and|and/or)\s+)"
                               r"(?:[A-Za-z][\w-]*\s*,\s*(?:or\s+|and\s+)?){0,3}?(?!(?:other|another|any)\b)[A-Za-z][\w-]*\s+"
                               r"(?P<head>(?:[A-Za-z][\w-]*)(?:\s+[A-Za-z][\w-]*)?)\b", re.I)


def _elided_before_unknown(text: str, entities: list[Entity]) -> list[Entity]:
    """A modifier before "or" that takes the head of a term the lexicon lacks: in "neurological or ophthalmological
    disease" neurological disease is meant, and the ophthalmological one stays unread for a person. Only where no
    entity stands on the modifier, the head or the term that carries it (``_elided`` reads the pair when the last
    term is known)."""
    lexicon = get_lexicon()
    taken = [(e.start, e.end) for e in entities]
    found: list[Entity] = []
    for pair in _MODIFIER_PAIR_RE.finditer(text):
        mod = pair.group("mod")
        if mod.lower() in _NOT_MODIFIERS or any(s < pair.end() and pair.start() < e for s, e in taken):
            continue
        head_words = pair.group("head").split()
        for size in range(len(head_words), 0, -1):
            match = lexicon.lookup("conditions", f"{mod} {' '.join(head_words[:size])}", fuzzy=False)
            if match:
                found.append(Entity("CONDITION", match.entry.id, mod, pair.start("mod"), pair.end("mod")))
                taken.append((pair.start("mod"), pair.end("mod")))
                break
    return found


def _grades_above(grade: str) -> tuple[str, ...]:
    """The grades after one in its own numbering ("III" -> IV, V; "3" -> 4, 5)."""
    for scale in _GRADES:
        if grade.upper() in scale:
            return scale[scale.index(grade.upper()) + 1:]
    return ()


def kinds_listed_after(text: str, position: int) -> Optional[int]:
    """The end of the kinds listed right after a term ("(type 1 or type 2)", ", type 1 or type 2"), if any."""
    listed = _PAREN_QUALIFIERS_RE.match(text, position)
    return listed.end() if listed else None


def _parenthesised_kinds(text: str, entity: Entity, kind: str, taken: list) -> list[Entity]:
    """"Diabetes mellitus (type 1 or type 2)": each qualifier with the head is a lexicon term of its own
    ("diabetes mellitus type 1"); a qualifier without its word borrows the previous one ("type 1 or 2")."""
    listed = _PAREN_QUALIFIERS_RE.match(text, entity.end)
    if not listed:
        return []
    found, word = [], ""
    group = "list" if listed.group("list") else "list2"
    for item in _PAREN_QUALIFIER_RE.finditer(text, listed.start(group), listed.end(group)):
        word = item.group("word") or word
        match = get_lexicon().lookup(kind, f"{entity.text} {word} {item.group('qual')}".replace("  ", " "), fuzzy=False)
        if not match or match.entry.id == entity.id or any(s <= item.start() < e for s, e in taken):
            return []  # all the qualifiers name kinds, or the parentheses say something else
        found.append(Entity(entity.label, match.entry.id, item.group(), item.start(), item.end()))
    taken.extend((e.start, e.end) for e in found)
    return found
