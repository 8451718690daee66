"""Check a folder of gold annotations without compiling anything: every file parses, names an existing fixture,
every rule fits the rule schema and every lexicon id (drug, class, condition, lab, vaccine) exists.

    python benchmarks/validate_gold.py tests/holdout19/gold     (from the repository root)

Used while a hold-out set is written (tests/HOLDOUT_BRIEF.md): the annotators may run this, never the compiler."""
import json, sys
from pathlib import Path
from matcher.evalcompiler import _RULE
from matcher.lexicon import get_lexicon

LEX = get_lexicon()
IDS = {"drugs": "drugs", "except_drugs": "drugs", "classes": "drug_classes", "except_classes": "drug_classes",
       "conditions": "conditions", "except_conditions": "conditions", "lab": "labs", "vaccines": "vaccines"}
bad = 0

def check(rule, where):
    global bad
    data = {k: v for k, v in rule.items() if k not in ("note", "_path")}
    if data.get("kind") == "group":
        for n, child in enumerate(data.get("rules", [])):
            check(child, f"{where}.{n + 1}")
        data = dict(data, rules=[])
    for field, kind in IDS.items():
        vals = data.get(field)
        if vals is None:
            continue
        for v in ([vals] if isinstance(vals, str) else vals):
            if LEX.get(kind, v) is None:
                bad += 1
                print(f"{where}: unknown {kind} id {v!r} in {field}")
    data.update(id="x", criterion_id="c", section=data.get("section", "inclusion"), text=data.get("text", "t"))
    try:
        _RULE.validate_python(data)
    except Exception as e:
        bad += 1
        print(f"{where}: schema: {str(e)[:400]}")

for path in sorted(Path(sys.argv[1]).glob("*.json")):
    try:
        gold = json.loads(path.read_text())
    except Exception as e:
        bad += 1
        print(f"{path}: not JSON: {e}")
        continue
    for key in ("trial_id", "fixture", "criteria"):
        if key not in gold:
            bad += 1
            print(f"{path}: missing {key}")
    if gold.get("fixture") and not Path(gold["fixture"]).exists():
        bad += 1
        print(f"{path}: fixture {gold['fixture']} not found (run from the repo root)")
    for i, c in enumerate(gold.get("criteria", [])):
        for j, r in enumerate(c.get("rules", [])):
            check(r, f"{path.name} criterion {i + 1} ({c.get('text', '')[:50]!r}) rule {j + 1}")
print("problems:", bad)
sys.exit(1 if bad else 0)
