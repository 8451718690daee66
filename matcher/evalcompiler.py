"""``msmatch eval-compiler``: compare compiled rule sets with the hand-written gold set.

Gold files (``tests/gold/<trial>.json``, format in ``tests/gold/README.md``) list every criterion of
a trial with the rules a perfect compiler would give.  Criteria are aligned by text; rules within a
criterion by kind.  Reported per family and overall:

- precision and recall of structured rules (a rule counts when its kind matches);
- exact-parameter accuracy of matched rules (every field equal, polarity included);
- polarity errors (an exclusion read as an inclusion, "no history of X" read as "history of X");
- grouping errors: a rule right but for the any-of / all-of groups around it ("2 relapses in 2 years or 1 in
  the last year" read as two rules both required). Groups are compared in one logical form (negations pushed
  to the rules), so equivalent groupings agree: an excluded any-of is its rules each excluded;
- share of criteria structured, recall of the gold's structured criteria, manual-review precision;
- every mismatch with its text.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Optional

from pydantic import TypeAdapter
from rapidfuzz import fuzz

from .errors import MsmatchError
from .lexicon import get_lexicon, normalise
from .models.rules import Rule, RuleSet

_IGNORED = {"id", "criterion_id", "section", "text", "span", "origin", "why", "category", "decided", "note", "_path"}
_RULE = TypeAdapter(Rule)


@dataclass
class Scores:
    tp: Counter = field(default_factory=Counter)
    fp: Counter = field(default_factory=Counter)
    fn: Counter = field(default_factory=Counter)
    exact: Counter = field(default_factory=Counter)
    polarity_errors: list = field(default_factory=list)
    grouping_errors: list = field(default_factory=list)
    mismatches: list = field(default_factory=list)
    criteria: int = 0
    structured_criteria: int = 0
    gold_structured: int = 0
    gold_structured_found: int = 0
    manual_compiled: int = 0
    manual_correct: int = 0
    unaligned: int = 0
    unscored: list = field(default_factory=list)  # (gold file, why): the files that could not be scored

    def summary(self) -> dict:
        tp, fp, fn = sum(self.tp.values()), sum(self.fp.values()), sum(self.fn.values())
        return {
            "precision": _ratio(tp, tp + fp), "recall": _ratio(tp, tp + fn),
            "exact_parameter_accuracy": _ratio(sum(self.exact.values()), tp),
            "polarity_errors": len(self.polarity_errors), "grouping_errors": len(self.grouping_errors),
            "criteria": self.criteria, "share_structured": _ratio(self.structured_criteria, self.criteria),
            "structured_criteria_recall": _ratio(self.gold_structured_found, self.gold_structured),
            "manual_review_precision": _ratio(self.manual_correct, self.manual_compiled),
            "unaligned_gold_criteria": self.unaligned, "unscored_gold_files": len(self.unscored),
        }


def _ratio(a: int, b: int) -> Optional[float]:
    return round(a / b, 4) if b else None


_DUAL = {"all": "any", "any": "all"}


def _leaves(rules, negated: bool = False, path: tuple = ()) -> list[dict]:
    """A criterion's leaf rules as one logical form, so that two equivalent groupings score alike and others do
    not. A criterion holds when all its rules hold; negations are pushed down to the leaves (an excluded all-of
    of A and B is an any-of of A excluded and B excluded; an excluded any-of is A and B each excluded), each leaf
    takes the polarity it then has, and ``_path`` lists the any-of / all-of groups above it (a group of one rule,
    or of the same mode as its parent, adds nothing): ``()`` for a rule that must hold by itself."""
    out = []
    for rule in rules:
        data = rule if isinstance(rule, dict) else rule.model_dump(mode="json")
        if data.get("kind") == "group":
            flip = negated ^ (data.get("polarity") == "exclude")
            mode = _DUAL[data["mode"]] if flip else data["mode"]
            children = [c for c in data.get("rules", []) if c.get("kind") != "manual_review"]
            if data.get("when"):  # a group for some patients only: each of its parts is for them only
                children = [c if c.get("when") else {**c, "when": data["when"]} for c in children]
            opens = len(children) > 1 and mode != (path[-1] if path else "all")
            out.extend(_leaves(children, flip, path + (mode,) if opens else path))
        elif data.get("kind") != "manual_review":
            if negated:
                data = {**data, "polarity": "require" if data.get("polarity", "require") == "exclude" else "exclude"}
            out.append({**data, "_path": list(path)})
    return out


def _flatten(rules) -> list[dict]:
    """A criterion's leaf rules with the polarity they take in :func:`_leaves`'s logical form, without the groups
    around them (for tests that ask what was read, not how it is grouped)."""
    return [{k: v for k, v in leaf.items() if k != "_path"} for leaf in _leaves(rules)]


def _minimal(kind: str, ids: list[str]) -> list[str]:
    """Drop ids another listed id already covers: the evaluator matches a condition by its ancestors and a
    drug by its classes, so ["malignancy", "solid_tumour"] states exactly what ["malignancy"] states."""
    lexicon = get_lexicon()
    ids = list(dict.fromkeys(ids))
    if kind == "conditions":
        return lexicon.minimal_conditions(ids)
    return [i for i in ids if not (lexicon.class_ancestors(i) - {i}) & set(ids)]


def _drugs_minimal(rule: dict) -> dict:
    classes = _minimal("drug_classes", rule.get("classes") or [])
    drugs = [d for d in rule.get("drugs") or [] if not get_lexicon().drug_classes(d) & set(classes)]
    return {**rule, "classes": classes, "drugs": list(dict.fromkeys(drugs))}


def _canonical(rule: dict) -> dict:
    """A rule's parameters as the gold states them, defaults filled in by the schema."""
    data = {k: v for k, v in rule.items() if k not in _IGNORED}
    data.setdefault("section", "inclusion")
    try:
        model = _RULE.validate_python(data)
    except Exception:  # a gold rule outside the schema is compared as written
        return data
    dumped = {k: v for k, v in model.model_dump(mode="json").items() if k not in _IGNORED}
    if "conditions" in dumped:
        dumped["conditions"] = _minimal("conditions", dumped["conditions"])
        if dumped.get("timing") == "history":
            dumped["timing"] = "any"  # the evaluator reads both as "ever"
        dumped["exceptions"] = _minimal("conditions", dumped.get("exceptions") or [])
    if "classes" in dumped and "drugs" in dumped:
        dumped = _drugs_minimal(dumped)
    if (dumped.get("when") or {}).get("subtypes"):
        dumped["when"] = {**dumped["when"], "subtypes": sorted(dumped["when"]["subtypes"])}  # a set of patients
    if "qualifier" in dumped:
        # a dose or regimen a person checks: whether the rule carries one, not its wording
        dumped["qualifier"] = bool(dumped["qualifier"])
    if dumped.get("kind") == "lab" and dumped.get("unit"):  # "ml/min" is "mL/min", as the evaluator reads it
        dumped["unit"] = get_lexicon().canonical_unit(dumped.get("test", ""), dumped["unit"])
    if dumped.get("kind") == "lab" and not dumped.get("unit"):
        # the evaluator reads a bound without a unit in the lab's canonical unit ("JCV index > 1.5": index)
        entry = get_lexicon().get("labs", dumped.get("test", ""))
        dumped["unit"] = entry.data.get("unit") if entry else None
    return dumped


# Exclusions that say the same but for the ids they list: "no natalizumab within 6 months, no cladribine within
# 6 months" excludes exactly what one rule on both drugs excludes (a criterion fails when any rule fails). The same
# holds for requirements that are alternatives of one any-of ("on interferon beta for 3 months, or on glatiramer
# acetate for 3 months" is "on either for 3 months"). Not so for requirements that must all hold, nor for counts of
# distinct drugs.
_LISTS = {"prior_drug": ("drugs", "classes"), "washout": ("drugs", "classes"), "condition": ("conditions",)}


def _merge_equivalent(rules: list[dict]) -> list[dict]:
    merged: dict[str, dict] = {}
    out = []
    for rule in rules:
        lists = _LISTS.get(rule.get("kind"))
        canonical = _canonical(rule)
        exclusion = canonical.get("polarity") == "exclude" and not rule.get("_path")
        alternative = canonical.get("polarity") == "require" and rule.get("_path") == ["any"]
        if not lists or not (exclusion or alternative) or canonical.get("min_distinct", 1) != 1:
            out.append(rule)
            continue
        key = json.dumps({**{k: v for k, v in canonical.items() if k not in lists}, "_path": rule.get("_path") or []},
                         sort_keys=True)
        if key not in merged:
            merged[key] = {**rule, **{name: list(canonical.get(name) or []) for name in lists}}
            out.append(merged[key])
        else:
            for name in lists:
                merged[key][name] = list(dict.fromkeys(merged[key][name] + list(canonical.get(name) or [])))
    return out


def _shown(rule: dict) -> str:
    text = json.dumps(_canonical(rule))
    return f"{text} in {' > '.join(rule['_path'])}-of" if rule.get("_path") else text


def _params_equal(gold: dict, compiled: dict, grouping: bool = True) -> bool:
    """Every parameter equal; with ``grouping``, also the any-of / all-of groups the rule sits in."""
    if grouping and (gold.get("_path") or []) != (compiled.get("_path") or []):
        return False
    g, c = _canonical(gold), _canonical(compiled)
    for key in set(g) | set(c):
        gv, cv = g.get(key), c.get(key)
        if isinstance(gv, list) and isinstance(cv, list) and all(isinstance(x, str) for x in gv + cv):
            gv, cv = sorted(gv), sorted(cv)
        if gv != cv:
            return False
    return True


def _align(gold_criteria: list[dict], ruleset: RuleSet) -> list[tuple[dict, Optional[object]]]:
    pairs = []
    fields = [c for c in ruleset.criteria if c.id.startswith("F")]
    texts = [c for c in ruleset.criteria if not c.id.startswith("F")]
    for gold in gold_criteria:
        if gold.get("origin") == "structured_field":
            kinds = {r.get("kind") for r in gold.get("rules", [])}
            match = next((c for c in fields if {r.kind for r in c.rules} & kinds), None)
            pairs.append((gold, match))
            continue
        key = normalise(gold.get("text", ""))
        best, best_score = None, 0.0
        for criterion in texts:
            candidate = normalise(criterion.text)
            # A parent bullet's compiled text carries its items ("Previous treatment with: [a] [b]"); the gold
            # keeps the parent's own words.
            head = normalise(criterion.text.split(" [", 1)[0])
            # partial_ratio between texts of some length only: a short heading ("Other") sits inside many long
            # criteria ("in another study") and would otherwise take their place.
            score = max(fuzz.ratio(key, candidate), fuzz.ratio(key, head),
                        fuzz.partial_ratio(key, candidate) if min(len(key), len(candidate)) > 25 else 0)
            if score > best_score:
                best, best_score = criterion, score
        pairs.append((gold, best if best_score >= 80 else None))
    return pairs


def score_trial(gold: dict, ruleset: RuleSet, scores: Scores, pairs: Optional[list] = None) -> None:
    """``pairs``: the gold criteria aligned with the compiled ones, when the caller has them already."""
    used = set()
    for gold_criterion, compiled in pairs if pairs is not None else _align(gold["criteria"], ruleset):
        gold_rules = _merge_equivalent(_leaves(gold_criterion.get("rules", [])))
        if not gold_criterion.get("rules") and "item of the list" in gold_criterion.get("note", ""):
            continue  # folded into its parent criterion
        scores.criteria += 1
        if gold_rules:
            scores.gold_structured += 1
        if compiled is None:
            scores.unaligned += 1
            for rule in gold_rules:
                scores.fn[rule["kind"]] += 1
            scores.mismatches.append(("unaligned", ruleset.trial_id, gold_criterion.get("text", "")[:90], "", ""))
            continue
        first_use = compiled.id not in used
        used.add(compiled.id)
        compiled_rules = _merge_equivalent(_leaves(r.model_dump(mode="json") for r in compiled.rules)) \
            if first_use else []
        if compiled_rules:
            scores.structured_criteria += 1
            if gold_rules:
                scores.gold_structured_found += 1
        elif first_use:
            scores.manual_compiled += 1
            scores.manual_correct += not gold_rules
        remaining = list(compiled_rules)
        for rule in gold_rules:
            same_kind = [c for c in remaining if c["kind"] == rule["kind"]]
            if not same_kind:
                scores.fn[rule["kind"]] += 1
                scores.mismatches.append(("missed", ruleset.trial_id, gold_criterion.get("text", "")[:90],
                                          _shown(rule), ""))
                continue
            best = next((c for c in same_kind if _params_equal(rule, c)), None) \
                or next((c for c in same_kind if _params_equal(rule, c, grouping=False)), same_kind[0])
            remaining.remove(best)
            scores.tp[rule["kind"]] += 1
            if _params_equal(rule, best):
                scores.exact[rule["kind"]] += 1
            else:
                if rule.get("polarity", best["polarity"]) != best["polarity"]:
                    scores.polarity_errors.append((ruleset.trial_id, gold_criterion.get("text", "")[:90]))
                elif _params_equal(rule, best, grouping=False):
                    scores.grouping_errors.append((ruleset.trial_id, gold_criterion.get("text", "")[:90]))
                scores.mismatches.append(("params", ruleset.trial_id, gold_criterion.get("text", "")[:90],
                                          _shown(rule), _shown(best)))
        for extra in remaining:
            scores.fp[extra["kind"]] += 1
            scores.mismatches.append(("extra", ruleset.trial_id, gold_criterion.get("text", "")[:90], "",
                                      _shown(extra)))


# Verdict agreement: each aligned criterion decided for a panel of patients, once by the gold's rules and once by
# the compiled ones. A rule can differ from the gold and decide every patient the same (or the reverse), so this is
# the measure that says what a user would see: a criterion failed that the text lets the patient pass ("wrong
# fail": an eligible patient lost), passed where the text excludes or asks a person ("wrong pass": a check
# missed), or left to a person where the text decides ("review": work, never a wrong verdict).
_SCHEMA_FREE = {"note", "_path"}


def _gold_rule(rule: dict, ident: str, criterion):
    """A gold rule as a schema rule of the compiled criterion (its ids, section and text), children too."""
    data = {k: v for k, v in rule.items() if k not in _SCHEMA_FREE}
    if data.get("kind") == "group":
        data["rules"] = [_gold_rule(child, f"{ident}.{n}", criterion).model_dump(mode="json")
                         for n, child in enumerate(data.get("rules", []), start=1)]
    data.update(id=ident, criterion_id=criterion.id, section=criterion.section, text=data.get("text") or criterion.text)
    return _RULE.validate_python(data)


def gold_ruleset(gold: dict, ruleset: RuleSet, pairs: Optional[list] = None) -> tuple[RuleSet, set[str]]:
    """The compiled rule set with each aligned criterion's rules replaced by the gold's (ids kept), and the ids
    of the criteria replaced; a gold criterion outside the schema is left out of both."""
    replaced: dict[str, list] = {}
    for gold_criterion, compiled in pairs if pairs is not None else _align(gold["criteria"], ruleset):
        if compiled is None or compiled.id in replaced:
            continue
        if not gold_criterion.get("rules") and "item of the list" in gold_criterion.get("note", ""):
            continue
        try:
            replaced[compiled.id] = [_gold_rule(rule, f"{compiled.id}.g{n}", compiled)
                                     for n, rule in enumerate(gold_criterion.get("rules", []), start=1)]
        except Exception:  # noqa: BLE001 (a gold rule the schema cannot hold is not scored)
            continue
    criteria = [c.model_copy(update={"rules": replaced[c.id], "coverage": "full"}) if c.id in replaced else c
                for c in ruleset.criteria]
    return ruleset.model_copy(update={"criteria": criteria}), set(replaced)


@dataclass
class Verdicts:
    pairs: int = 0
    agree: int = 0
    wrong_fail: list = field(default_factory=list)
    wrong_pass: list = field(default_factory=list)
    review: int = 0
    trials: int = 0
    trial_agree: int = 0

    def summary(self) -> dict:
        return {"criterion_pairs": self.pairs, "criterion_agreement": _ratio(self.agree, self.pairs),
                "wrong_fail": len(self.wrong_fail), "wrong_pass": len(self.wrong_pass),
                "review_instead_of_decided": self.review, "trial_pairs": self.trials,
                "trial_verdict_agreement": _ratio(self.trial_agree, self.trials)}


def score_verdicts(gold: dict, ruleset: RuleSet, patients: list, as_of, verdicts: Verdicts,
                   pairs: Optional[list] = None) -> None:
    from .evaluate import screen

    reference, scored = gold_ruleset({**gold, "criteria": _merge_age_fields(gold["criteria"])}, ruleset, pairs)
    texts = {c.id: c.text for c in ruleset.criteria}
    for patient in patients:
        compiled, expected = screen(ruleset, patient, as_of), screen(reference, patient, as_of)
        verdicts.trials += 1
        verdicts.trial_agree += compiled.verdict == expected.verdict
        wanted = {c.id: c.status for c in expected.criteria}
        for criterion in compiled.criteria:
            if criterion.id not in scored:
                continue
            got, want = criterion.status, wanted[criterion.id]
            verdicts.pairs += 1
            verdicts.agree += got == want
            case = (ruleset.trial_id, criterion.id, texts[criterion.id][:80], patient.patient.id, want, got)
            if got == "fail" and want != "fail":
                verdicts.wrong_fail.append(case)
            elif got == "pass" and want != "pass":
                verdicts.wrong_pass.append(case)
            elif got == "unknown" and want != "unknown":
                verdicts.review += 1


def _merge_age_fields(criteria: list[dict]) -> list[dict]:
    """The gold lists "Minimum age" and "Maximum age" as two structured fields; the schema states one range."""
    ages = [c for c in criteria if c.get("origin") == "structured_field"
            and [r.get("kind") for r in c.get("rules", [])] == ["age"]]
    if len(ages) < 2:
        return criteria
    years: dict = {}
    for c in ages:
        years.update({k: v for k, v in c["rules"][0].get("years", {}).items() if v is not None})
    merged = {**ages[0], "text": " / ".join(c["text"] for c in ages),
              "rules": [{**ages[0]["rules"][0], "years": years}]}
    return [merged if c is ages[0] else c for c in criteria if c is ages[0] or c not in ages]


def evaluate(gold_dir: Path, repo_root: Path, patients: Optional[list] = None, as_of=None,
             verdicts: Optional[Verdicts] = None) -> Scores:
    """Score every gold file of ``gold_dir``; with ``patients`` (``PatientFacts``) also the verdicts."""
    from .api import load_rulesets

    scores = Scores()
    for path in sorted(gold_dir.glob("NCT*.json")):
        try:
            gold = json.loads(path.read_text(encoding="utf-8"))
            if not gold.get("has_criteria", True):
                continue
            rulesets = load_rulesets(repo_root / gold["fixture"])
            if len(rulesets) != 1:
                raise MsmatchError(f"the fixture holds {len(rulesets)} trials, a gold file describes one",
                                   file=gold["fixture"], hint="point 'fixture' at a single-trial record")
            (ruleset,) = rulesets
            gold = {**gold, "criteria": _merge_age_fields(gold["criteria"])}
        except (OSError, ValueError, KeyError, TypeError, MsmatchError) as error:
            # One unreadable gold file or record is reported and the rest of the set is still scored.
            why = str(error) if isinstance(error, MsmatchError) else f"{type(error).__name__}: {error}"
            scores.unscored.append((str(path), why))
            continue
        pairs = _align(gold["criteria"], ruleset)  # (fuzzy text matching: once for both scores)
        score_trial(gold, ruleset, scores, pairs)
        if patients and verdicts is not None:
            score_verdicts(gold, ruleset, patients, as_of, verdicts, pairs)
    return scores


def _panel(folder: Path) -> list:
    """The example patients of ``folder`` as ``PatientFacts`` (FHIR bundles and EXPECTED.json left out)."""
    from .api import load_patient
    from .evaluate import PatientFacts

    return [PatientFacts(load_patient(path)) for path in sorted(folder.glob("p*.json"))]


def verdict_report(verdicts: Verdicts, show_cases: bool = True) -> str:
    lines = [f"{key:<30} {_fmt(value) if isinstance(value, float) else value}"
             for key, value in verdicts.summary().items()]
    if show_cases:
        for name, cases in (("wrong fail", verdicts.wrong_fail), ("wrong pass", verdicts.wrong_pass)):
            if cases:
                lines.append(f"\n{name} (trial, criterion, gold -> compiled, patients):")
                by_criterion: dict = {}
                for trial, ident, text, patient, want, got in cases:
                    by_criterion.setdefault((trial, ident, text, want, got), []).append(patient)
                lines.extend(f"- {trial} {ident} | {text} | {want} -> {got} | {len(patients)}: "
                             f"{', '.join(p.split('-')[0] for p in patients)}"
                             for (trial, ident, text, want, got), patients in by_criterion.items())
    return "\n".join(lines)


def report(scores: Scores, show_mismatches: bool = True) -> str:
    lines = ["family                 gold  found  tp   fp   fn   exact  precision recall  exact%"]
    for kind in sorted(set(scores.tp) | set(scores.fp) | set(scores.fn)):
        tp, fp, fn, ex = scores.tp[kind], scores.fp[kind], scores.fn[kind], scores.exact[kind]
        lines.append(f"{kind:<22} {tp + fn:>4}  {tp + fp:>5}  {tp:>3}  {fp:>3}  {fn:>3}  {ex:>5}  "
                     f"{_fmt(_ratio(tp, tp + fp)):>9} {_fmt(_ratio(tp, tp + fn)):>6}  {_fmt(_ratio(ex, tp)):>6}")
    lines.append("")
    for key, value in scores.summary().items():
        lines.append(f"{key:<30} {_fmt(value) if isinstance(value, float) else value}")
    if scores.unscored:
        lines.append("\nnot scored (gold file: why; fix the file or its fixture and run again):")
        lines.extend(f"- {path}: {why}" for path, why in scores.unscored)
    if show_mismatches and scores.mismatches:
        lines.append("\nmismatches (what, trial, criterion, gold, compiled):")
        for what, trial, text, gold, compiled in scores.mismatches:
            lines.append(f"- {what:<9} {trial} | {text}")
            if gold:
                lines.append(f"    gold:     {gold[:220]}")
            if compiled:
                lines.append(f"    compiled: {compiled[:220]}")
    return "\n".join(lines)


def _fmt(value) -> str:
    return "-" if value is None else f"{value * 100:.1f}%" if isinstance(value, float) else str(value)


def register(subparsers) -> None:
    p = subparsers.add_parser("eval-compiler", help="score the compiler against the gold annotations",
                              epilog="example: msmatch eval-compiler --gold tests/gold")
    p.add_argument("--gold", default="tests/gold", help="folder of gold files (default tests/gold)")
    p.add_argument("--root", default=".", help="repository root the gold 'fixture' paths are relative to")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.add_argument("--quiet", action="store_true", help="leave out the list of mismatches")
    p.add_argument("--patients", metavar="DIR",
                   help="also decide every criterion for the patients p*.json of DIR (e.g. patient_profiles), once "
                        "by the gold's rules and once by the compiled ones, and report where they disagree")
    p.add_argument("--as-of", default="2026-11-01", type=date.fromisoformat,
                   help="reference date of the patient panel (default 2026-11-01, the example patients' date)")
    p.set_defaults(func=_run)


def _run(args) -> int:
    verdicts = Verdicts() if args.patients else None
    patients = _panel(Path(args.patients)) if args.patients else None
    scores = evaluate(Path(args.gold), Path(args.root), patients, args.as_of, verdicts)
    if args.json:
        out = {"overall": scores.summary(),
               "families": {k: {"tp": scores.tp[k], "fp": scores.fp[k], "fn": scores.fn[k], "exact": scores.exact[k]}
                            for k in sorted(set(scores.tp) | set(scores.fp) | set(scores.fn))}}
        if verdicts is not None:
            out["verdicts"] = verdicts.summary()
        print(json.dumps(out, indent=2))
    else:
        print(report(scores, show_mismatches=not args.quiet))
        if verdicts is not None:
            print("\nverdicts of the patient panel (gold rules vs compiled rules):")
            print(verdict_report(verdicts, show_cases=not args.quiet))
    if scores.unscored:
        print(f"msmatch eval-compiler: {len(scores.unscored)} gold file(s) not scored, listed above",
              file=sys.stderr)
        return 1
    return 0
