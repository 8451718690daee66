"""Treatments: washout windows, prior-drug bans, current therapy, live vaccines, investigational agents."""

from __future__ import annotations

import re

from ...models.rules import Duration, InvestigationalRule, LiveVaccineRule, PriorDrugRule, WashoutRule, Window
from .. import context
from ..context import Context
from ..quantities import NUM, find_windows, number, unit_of

# Mentions that are about the drug but not exposure to it.
_NOT_EXPOSURE_RE = re.compile(r"allerg|hypersensitiv|intoleran|contra[\s-]?indicat|adverse\s+reaction|anaphyla|"
                              r"sensitivity\s+to|excipients|indicated\s+to\s+treat|indication\s+for|"
                              r"(?:may|might|could|would|will)\s+require|requir\w+\s+(?:\w+\s+)?treatment|"
                              r"after\s+(?:the\s+)?last\s+(?:dose|infusion|administration)|(?:when|while)\s+receiving", re.I)
# A sentence that permits something ("... may be considered for this trial") states no exclusion.
_PERMISSION_RE = re.compile(r"may\s+be\s+considered|(?:is|are|was|were)\s+(?:also\s+)?(?:allowed|permitted)|"
                            r"not\s+exclusionary|acceptable", re.I)
_CURRENT_RE = re.compile(r"\bcurrently\b|\bcurrent\b|\bstill\s+taking|\bon\s+(?:a\s+)?(?:stable|regular)|\bconcurrent\b|"
                         r"\bconcomitant\b|\bintake\b|\bneeds?\s+to\s+take|\bcontinuous\b|\bregular\b|\bduring\s+treatment\s+with|"
                         r"\btreatment\s+with\s+\w+\s+according\s+to|\bis\s+taking|\bongoing\b|\bestablished\s+on", re.I)
_MIN_DURATION_RE = re.compile(rf"(?:for\s+)?at\s+least\s+(?P<value>{NUM})\s*(?P<unit>days?|weeks?|months?|years?)",
                              re.I)
_DISTINCT_RE = re.compile(rf"(?:tried|failed|received|used)\s+(?:at\s+least\s+)?(?P<n>{NUM})\s+(?:\w+\s+)?"
                          r"(?:DMTs?|disease[\s-]+modifying|therapies|treatments|drugs)", re.I)
_CHANGE_RE = re.compile(r"\b(?:change[sd]?|introduc\w+|start(?:ed|ing)?|initiat\w+|dose\s+adjust\w*|stable\s+dose)\b",
                        re.I)


def extract_drugs(ctx: Context) -> list:
    permitted = [(m.start(), m.end()) for m in re.finditer(r"[^.]*[.]?", ctx.text)
                 if _PERMISSION_RE.search(m.group(0))]
    mentions = [e for e in ctx.entities_of("DRUG", "DRUG_CLASS")
                if not any(s <= e.start < en for s, en in ctx.consumed + permitted)]
    if not mentions or _NOT_EXPOSURE_RE.search(ctx.text):
        return []
    if _CHANGE_RE.search(ctx.text) and not re.search(r"treat(?:ed|ment)\s+with|therapy\s+with|use\s+of|received",
                                                     ctx.text, re.I):
        return []  # "changes to / introduction of a treatment": a stability criterion, not an exposure
    exception = context.exception_start(ctx.text)
    included = [m for m in mentions if exception is None or m.start < exception]
    excepted = [m for m in mentions if exception is not None and m.start >= exception]
    if not included:
        return []
    drugs = _ids(m for m in included if m.label == "DRUG")
    classes = _ids(m for m in included if m.label == "DRUG_CLASS")
    except_drugs = _ids(m for m in excepted if m.label == "DRUG")
    for mention in mentions:
        ctx.consume(mention.start, mention.end)
    windows = find_windows(ctx.text)
    if windows:
        window = windows[0]
        ctx.consume(window.start, window.end)
        return [WashoutRule(polarity=ctx.base_polarity(included[0].start, window), drugs=drugs, classes=classes,
                            except_drugs=except_drugs, window=window.window)]
    polarity = ctx.base_polarity(included[0].start)
    half_lives = re.search(rf"(?P<n>{NUM})\s*half[\s-]*li(?:ves|fe)", ctx.text, re.I)
    if half_lives:
        ctx.consume(half_lives.start(), half_lives.end())
        window = Window(within=Duration(value=0, unit="days"), half_lives=int(number(half_lives.group("n"))))
        return [WashoutRule(polarity=polarity, drugs=drugs, classes=classes, except_drugs=except_drugs, window=window)]
    rule = {"polarity": polarity, "drugs": drugs, "classes": classes, "except_drugs": except_drugs}
    distinct = _DISTINCT_RE.search(ctx.text)
    if distinct:
        rule["min_distinct"] = int(number(distinct.group("n")))
        ctx.consume(distinct.start(), distinct.end())
    minimum = _MIN_DURATION_RE.search(ctx.text)
    if minimum:
        rule["min_duration"] = Duration(value=number(minimum.group("value")), unit=unit_of(minimum.group("unit")))
        ctx.consume(minimum.start(), minimum.end())
    current = _CURRENT_RE.search(ctx.text)
    if current and not re.search(r"previous|prior|history|ever\b", ctx.text[:included[0].start], re.I):
        rule["current"] = True
        ctx.consume(current.start(), current.end())
    return [PriorDrugRule(**rule)]


def _ids(mentions) -> list[str]:
    return list(dict.fromkeys(m.id for m in mentions))


_LIVE_VACCINE_RE = re.compile(r"live(?:[\s-]+attenuated)?\s+(?:virus\s+)?vaccin\w*|vaccin\w*\s+with\s+(?:a\s+)?live", re.I)


def extract_live_vaccine(ctx: Context) -> list:
    match = _LIVE_VACCINE_RE.search(ctx.text)
    if not match:
        return []
    windows = find_windows(ctx.text)
    ctx.consume(match.start(), match.end())
    window = windows[0] if windows else None
    if window:
        ctx.consume(window.start, window.end)
    return [LiveVaccineRule(polarity=ctx.base_polarity(match.start(), window), window=window.window if window else None)]


_INVESTIGATIONAL_RE = re.compile(
    r"investigational\s+(?:agent|drug|medication|medicinal\s+product|product|therapy|treatment|compound)s?|"
    r"experimental\s+(?:therap(?:y|ies)|drugs?|agents?|treatments?)|"
    r"(?:another|other|any\s+other)\s+(?:\w+\s+){0,3}?(?:clinical\s+)?(?:trial|study|research\s+study)|"
    r"participat\w+\s+in\s+(?:an?\s+)?(?:\w+\s+){0,2}(?:clinical\s+)?(?:trials?|stud(?:y|ies)|research)|"
    r"(?:simultaneous|concurrent|parallel)\s+participation|participant\s+in\s+(?:an)?other", re.I)


def extract_investigational(ctx: Context) -> list:
    match = _INVESTIGATIONAL_RE.search(ctx.text)
    if not match or re.search(r"(?:this|the)\s+(?:study|trial)", match.group(0), re.I) or \
            _PERMISSION_RE.search(ctx.text) or re.search(r"hypersensitiv|allerg|excipient", ctx.text, re.I):
        return []  # this trial's own product, a permission, an allergy: not participation elsewhere
    windows = [w for w in find_windows(ctx.text) if not any(s <= w.start < e for s, e in ctx.consumed)]
    ctx.consume(match.start(), match.end())
    found = windows[0] if windows else None
    window = found.window if found else None
    if found:
        ctx.consume(found.start, found.end)
    elif re.search(r"\bcurrent(?:ly)?\b|\bconcurrent\b|\bongoing\b|\bsimultaneous\b|\bis\s+a\s+participant\b",
                   ctx.text, re.I) and not re.search(r"\bprevious|\bprior\b|\bever\b", ctx.text, re.I):
        window = Window(within=Duration(value=0, unit="days"))
    half_lives = re.search(rf"(?P<n>{NUM})\s*half[\s-]*li(?:ves|fe)", ctx.text, re.I)
    if half_lives:
        within = window.within if window else Duration(value=0, unit="days")
        window = Window(within=within, anchor=window.anchor if window else "screening",
                        half_lives=int(number(half_lives.group("n"))))
        ctx.consume(half_lives.start(), half_lives.end())
    return [InvestigationalRule(polarity=ctx.base_polarity(match.start(), found), window=window)]
