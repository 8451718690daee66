"""Seeded, reproducible synthetic MS registries as JSONL, for benchmarks and load tests.

Made-up patients shaped like a clinic export: subtypes in roughly registry proportions (RRMS 70%, SPMS 13%,
PPMS 11%, CIS 6%) written as codes or free text, EDSS histories that drift upwards faster in progressive MS
(now and then an undated visit), DMT sequences written as brand names, generics and the odd misspelling,
steroid pulses, labs under their various names and units (eGFR, platelets, lymphocytes, ALT, creatinine,
haemoglobin), comorbidities (some misspelt or abbreviated), vaccinations, past participation in other trials
and investigational agents, and fields left out at random (absent = unknown).

    python benchmarks/synthetic_registry.py --n 1000 --seed 7 --out /tmp/registry.jsonl

The same ``--n`` and ``--seed`` always give byte-identical output.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Iterator

REFERENCE = date(2026, 11, 1)
SUBTYPES = (("RRMS", 0.70), ("SPMS", 0.13), ("PPMS", 0.11), ("CIS", 0.06))
# What registries actually contain: brand names, generics, dose suffixes and misspellings.
DMTS = {
    "RRMS": ["Rebif 44", "Avonex", "Plegridy", "Betaferon", "Copaxone", "glatiramer acetate", "Aubagio",
             "Tecfidera", "Tecfidra", "Vumerity", "Gilenya", "Gilenia", "fingolimode", "Zeposia", "Ponvory",
             "Tysabri", "natalizimab", "Kesimpta", "Ocrevus", "ocrelizumab", "Mavenclad", "Lemtrada", "Briumvi"],
    "SPMS": ["Mayzent", "siponimod", "Ocrevus", "Rebif 44", "Copaxone", "Tecfidera", "Mavenclad", "rituximab"],
    "PPMS": ["Ocrevus", "ocrelizumab", "Ocrevus Zunovo", "rituximab (off-label)"],
    "CIS": ["Avonex", "Copaxone", "Betaferon"],
}
STEROIDS = ["Solu-Medrol 1 g/day x3", "IV methylprednisolone 1 g x3 days", "oral prednisone taper"]
SUBTYPE_TEXT = {"RRMS": ("relapsing-remitting MS", "RR-MS", "relapsing remitting"),
                "SPMS": ("secondary progressive", "SPMS with relapses", "SP-MS"),
                "PPMS": ("primary progressive MS", "PP-MS"),
                "CIS": ("clinically isolated syndrome", "CIS (optic neuritis)")}
COMORBIDITIES = [("migraine", 0.15), ("depression", 0.2), ("hypertension", 0.12), ("type 2 diabetes", 0.05),
                 ("hypothyroidism", 0.06), ("asthma", 0.05), ("basal cell carcinoma, excised", 0.01),
                 ("breast cancer", 0.01), ("chronic hepatitis B", 0.005), ("chronic kidney disease stage 3", 0.02),
                 ("immune thrombocytopenia", 0.005), ("epilepsy", 0.01), ("HIV infection", 0.002)]
# How the same comorbidity is written elsewhere in a registry: abbreviations, misspellings, qualifiers.
SPELLINGS = {"depression": ["depresion", "major depressive disorder", "depression, treated"],
             "hypertension": ["HTN", "hypertention", "arterial hypertension"],
             "type 2 diabetes": ["T2DM", "diabetes mellitus type 2"], "migraine": ["migraine w/o aura", "migraines"],
             "hypothyroidism": ["hypothyroid", "Hashimoto thyroiditis"], "asthma": ["asthma (mild)"]}
INVESTIGATIONAL = ["tolebrutinib (study drug)", "BTK inhibitor, blinded", "frexalimab (trial)"]
VACCINES = [("Influenza (inactivated)", False, 0.4), ("COVID-19 mRNA", False, 0.3), ("Shingrix", False, 0.05),
            ("Yellow fever", True, 0.01), ("Varicella (Varivax)", True, 0.01), ("MMR", True, 0.005)]


def _day(rng: random.Random, start: date, end: date) -> date:
    span = max((end - start).days, 0)
    return start + timedelta(days=rng.randint(0, span))


def _subtype(rng: random.Random) -> str:
    roll, total = rng.random(), 0.0
    for subtype, share in SUBTYPES:
        total += share
        if roll < total:
            return subtype
    return "RRMS"


def _edss_history(rng: random.Random, subtype: str, diagnosis: date) -> list[dict]:
    score = rng.choice([0.0, 1.0, 1.5, 2.0, 2.5]) if subtype in ("RRMS", "CIS") else rng.choice([2.5, 3.0, 3.5, 4.0])
    drift = {"RRMS": 0.15, "CIS": 0.05, "SPMS": 0.4, "PPMS": 0.45}[subtype]
    visits = sorted({_day(rng, diagnosis, REFERENCE - timedelta(days=7)) for _ in range(rng.randint(1, 7))})
    history = []
    for visit in visits:
        history.append({"date": visit.isoformat(), "score": score} if rng.random() > 0.02 else {"score": score})
        step = rng.choice([-0.5, 0, 0, 0.5, 0.5, 1.0]) * (1 if rng.random() < 0.5 + drift else 0)
        score = min(9.5, max(0.0, score + step))
        score = 1.0 if 0 < score < 1.0 else score
    return history


def _treatments(rng: random.Random, subtype: str, diagnosis: date) -> list[dict]:
    treatments, start = [], _day(rng, diagnosis, diagnosis + timedelta(days=400))
    for _ in range(rng.choice([0, 1, 1, 2, 2, 3, 4]) if subtype != "PPMS" else rng.choice([0, 0, 1, 1, 2])):
        if start >= REFERENCE:
            break
        drug = rng.choice(DMTS[subtype])
        end = start + timedelta(days=rng.randint(120, 2500))
        treatment = {"drug": drug, "start": start.isoformat()}
        if end < REFERENCE:
            treatment["end"] = end.isoformat()
        treatments.append(treatment)
        start = end + timedelta(days=rng.randint(14, 200))
    for _ in range(rng.choice([0, 0, 0, 1, 2])):
        pulse = _day(rng, diagnosis, REFERENCE - timedelta(days=3))
        treatments.append({"drug": rng.choice(STEROIDS), "start": pulse.isoformat(),
                           "end": (pulse + timedelta(days=2)).isoformat()})
    return treatments


def _labs(rng: random.Random) -> list[dict]:
    when = lambda: _day(rng, REFERENCE - timedelta(days=400), REFERENCE - timedelta(days=1)).isoformat()  # noqa: E731
    labs = []
    if rng.random() < 0.8:
        labs.append({"test": rng.choice(["eGFR", "egfr", "estimated GFR"]),
                     "value": round(min(130, max(15, rng.gauss(95, 18))), 0), "unit": "mL/min/1.73m2",
                     "date": when()})
    if rng.random() < 0.8:
        unit = rng.choice(["G/L", "x10^9/L", "10*3/uL"])
        labs.append({"test": rng.choice(["platelets", "platelet count", "PLT"]),
                     "value": round(max(20, rng.gauss(250, 60)), 0), "unit": unit, "date": when()})
    if rng.random() < 0.6:
        labs.append({"test": "lymphocytes", "value": round(max(0.2, rng.gauss(1.6, 0.6)), 1), "unit": "G/L",
                     "date": when()})
    if rng.random() < 0.5:
        labs.append({"test": rng.choice(["ALT", "SGPT", "alanine aminotransferase"]),
                     "value": round(max(5, rng.gauss(28, 14))), "unit": "U/L", "date": when()})
    if rng.random() < 0.5:
        mg_dl = max(0.4, rng.gauss(0.85, 0.2))
        labs.append({"test": rng.choice(["creatinine", "serum creatinine", "SCr"]), "date": when(),
                     **rng.choice([{"value": round(mg_dl, 2), "unit": "mg/dL"},
                                   {"value": round(mg_dl * 88.4), "unit": "umol/L"}])})
    if rng.random() < 0.4:
        g_dl = max(7.0, rng.gauss(13.5, 1.3))
        labs.append({"test": rng.choice(["haemoglobin", "Hb", "hemoglobin"]), "date": when(),
                     **rng.choice([{"value": round(g_dl, 1), "unit": "g/dL"},
                                   {"value": round(g_dl * 10), "unit": "g/L"}])})
    return labs


def _trials(rng: random.Random, diagnosis: date) -> tuple[list[dict], list[dict]]:
    """(trial participation, investigational treatments): a few patients were in another trial."""
    if rng.random() >= 0.05:
        return [], []
    start = _day(rng, max(diagnosis, REFERENCE - timedelta(days=1500)), REFERENCE - timedelta(days=30))
    end = min(start + timedelta(days=rng.randint(90, 720)), REFERENCE - timedelta(days=1))
    trial = {"trial": f"NCT0{rng.randint(1000000, 6999999)}", "start": start.isoformat()}
    if end > start and rng.random() < 0.8:
        trial["end"] = end.isoformat()
    drug = {"drug": rng.choice(INVESTIGATIONAL), "start": start.isoformat(), "investigational": True}
    if "end" in trial:
        drug["end"] = trial["end"]
    return [trial], [drug] if rng.random() < 0.6 else []


def synthetic_patient(rng: random.Random, index: int) -> dict:
    subtype = _subtype(rng)
    pediatric = subtype == "RRMS" and rng.random() < 0.03
    age = rng.randint(10, 17) if pediatric else int(min(80, max(18, rng.gauss(45 if subtype == "RRMS" else 55, 11))))
    birth = REFERENCE - timedelta(days=age * 365 + rng.randint(0, 364))
    sex = "female" if rng.random() < (0.72 if subtype != "PPMS" else 0.5) else "male"
    onset = _day(rng, max(birth + timedelta(days=9 * 365), REFERENCE - timedelta(days=30 * 365)),
                 REFERENCE - timedelta(days=60))
    diagnosis = min(onset + timedelta(days=rng.randint(30, 1500)), REFERENCE - timedelta(days=30))
    patient: dict = {
        "id": f"syn-{index:07d}", "birth_date": birth.isoformat(), "sex": sex,
        "ms_subtype": rng.choice([subtype] * 8 + [subtype.lower(), *SUBTYPE_TEXT[subtype]]),
        "symptom_onset_date": onset.isoformat(), "diagnosis_date": diagnosis.isoformat(),
        "edss": _edss_history(rng, subtype, diagnosis),
        "relapses": [{"date": d.isoformat()} for d in sorted({_day(rng, onset, REFERENCE) for _ in range(
            rng.randint(0, 5) if subtype in ("RRMS", "CIS") else rng.randint(0, 2))})],
        "mri": [{"date": _day(rng, diagnosis, REFERENCE).isoformat(),
                 "gd_enhancing_lesions": rng.choice([0, 0, 0, 0, 1, 2, 3]),
                 "new_t2_lesions": rng.choice([0, 0, 0, 1, 2, 4, None])} for _ in range(rng.randint(0, 4))],
        "treatments": _treatments(rng, subtype, diagnosis),
        "conditions": [{"name": rng.choice([name] * 3 + SPELLINGS.get(name, [])),
                        "onset": _day(rng, birth, REFERENCE).isoformat()}
                       for name, share in COMORBIDITIES if rng.random() < share],
        "labs": _labs(rng),
        "vaccinations": [{"vaccine": name, "live": live, "date": _day(rng, REFERENCE - timedelta(days=730),
                                                                       REFERENCE).isoformat()}
                         for name, live, share in VACCINES if rng.random() < share],
        "csf_oligoclonal_bands": rng.random() < 0.9,
        "weight_kg": round(max(35, rng.gauss(72, 15)), 1),
    }
    participation, investigational = _trials(rng, diagnosis)
    patient["treatments"].extend(investigational)
    if participation or rng.random() < 0.7:  # the question is not always asked
        patient["trial_participation"] = participation
    if sex == "female" and 16 <= age <= 50:
        patient["childbearing_potential"] = rng.random() < 0.9
        patient["pregnant"] = rng.random() < 0.03
        patient["breastfeeding"] = not patient["pregnant"] and rng.random() < 0.03
        patient["contraception"] = rng.random() < 0.7
    elif sex == "male" or age > 55:
        patient["pregnant"] = False
        patient["breastfeeding"] = False
    # Registries are incomplete: drop optional fields now and then (absent = unknown to the engine).
    for key in ("edss", "relapses", "mri", "treatments", "conditions", "labs", "vaccinations",
                "csf_oligoclonal_bands", "weight_kg", "symptom_onset_date", "pregnant", "breastfeeding",
                "childbearing_potential", "contraception"):
        if key in patient and rng.random() < 0.08:
            del patient[key]
    return patient


def generate(n: int, seed: int = 7) -> Iterator[dict]:
    rng = random.Random(seed)
    for index in range(1, n + 1):
        yield synthetic_patient(rng, index)


def write_jsonl(path: str | Path, n: int, seed: int = 7) -> Path:
    path = Path(path)
    with path.open("w", encoding="utf-8") as out:
        for patient in generate(n, seed):
            out.write(json.dumps(patient, ensure_ascii=False, separators=(",", ":")) + "\n")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000, help="number of patients (default 1000)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", default="-", help="JSONL file (default: stdout)")
    args = parser.parse_args(argv)
    if args.out == "-":
        for patient in generate(args.n, args.seed):
            sys.stdout.write(json.dumps(patient, ensure_ascii=False, separators=(",", ":")) + "\n")
    else:
        print(f"wrote {write_jsonl(args.out, args.n, args.seed)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
