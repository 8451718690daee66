"""The ``msmatch`` command: a thin layer over ``matcher.api``.

Exit status: 0 whatever the verdicts; 2 on bad input, with a one-line error naming the file,
record and field.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from datetime import date
from pathlib import Path

from . import __version__
from .errors import MsmatchError, NoCriteriaError

from .report.audit import DEFAULT_STORE, STORE_ENV

# The compiler (spaCy) is imported by the commands that use it, so that `msmatch --help`, `explain` and
# `report` do not pay for it.

EXAMPLES = """examples:
  msmatch compile example_trials/NCT05208840_ctgov_page.txt --json
  msmatch compile example_trials/NCT05208840_ctgov_page.txt --out rules/compiled/
  msmatch screen --patient patient_profiles/p01-rrms-fingolimod-washout.json \\
                 --trial example_trials/NCT05208840_ctgov_page.txt --as-of 2026-11-01
  msmatch demo
"""


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _trials(paths: list[str]) -> list:
    from .api import load_rulesets

    rulesets = []
    for path in paths:
        p = Path(path)
        files = sorted(f for f in p.iterdir() if f.is_file() and not f.name.startswith(".")) if p.is_dir() else [p]
        for file in files:
            rulesets.extend(load_rulesets(file))
    return rulesets


def cmd_compile(args) -> int:
    from .report import ruleset_json

    rulesets = _trials(args.trial)
    for ruleset in rulesets:
        if args.out:
            out = Path(args.out)
            out.mkdir(parents=True, exist_ok=True)
            target = out / f"{ruleset.trial_id}.json"
            target.write_text(ruleset_json(ruleset) + "\n", encoding="utf-8")
            print(f"wrote {target}", file=sys.stderr)
        elif args.json:
            print(ruleset_json(ruleset))
        else:
            print(_ruleset_summary(ruleset))
    return 0


def _ruleset_summary(ruleset) -> str:
    lines = [f"{ruleset.trial_id}: {len(ruleset.criteria)} criteria"]
    for criterion in ruleset.criteria:
        kinds = ", ".join(r.kind for r in criterion.rules)
        lines.append(f"  {criterion.id:<6} [{criterion.coverage:<7}] {kinds:<40} {criterion.text[:60]}")
    return "\n".join(lines)


def cmd_screen(args) -> int:
    from .api import load_patient, screen_patient
    from .report import results_json, results_table
    from .report.audit import open_store, record_screenings

    patient = load_patient(args.patient)
    rulesets = _trials(args.trial)
    results = screen_patient(patient, rulesets, args.as_of)
    if not args.no_store:  # recorded before printing: exit status 2 then means nothing was done
        command = shlex.join(["msmatch", "screen", "--patient", args.patient,
                              *(x for trial in args.trial for x in ("--trial", trial)), "--as-of", str(args.as_of)])
        with open_store(args.store, create=True) as store:
            run_id = record_screenings(store, patient, rulesets, results, command)
        print(f"msmatch: recorded in {store.path} (run {run_id}); see msmatch explain --patient {patient.id} "
              f"--trial ID", file=sys.stderr)
    print(results_json(results) if args.json else results_table(results))
    return 0


def cmd_demo(args) -> int:
    from .api import load_patient, screen_patient
    from .report import matrix_table, results_table

    root = Path(args.examples)
    rulesets = _trials([str(root / "example_trials")])
    rows = []
    for path in sorted((root / "patient_profiles").glob("p*.json")):
        patient = load_patient(path)
        rows.append((patient.id, screen_patient(patient, rulesets, args.as_of)))
    print(f"Screening {len(rows)} example patients against {len(rulesets)} trials as of {args.as_of}\n")
    print(matrix_table(rows))
    print("\n'review' = nothing fails but some criteria need a person (see: msmatch screen ... for the list)\n")
    first = rows[0]
    print(f"Details for {first[0]}:\n")
    print(results_table(first[1]))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="msmatch", description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=EXAMPLES)
    parser.add_argument("--version", action="version", version=f"msmatch {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("compile", help="compile trial records into rule sets",
                       epilog="example: msmatch compile example_trials/NCT05208840_ctgov_page.txt --json")
    p.add_argument("trial", nargs="+", help="trial record(s) or folder(s)")
    p.add_argument("--json", action="store_true", help="print the rule set as JSON")
    p.add_argument("--out", help="write <trial>.json files into this folder (e.g. rules/compiled/)")
    p.set_defaults(func=cmd_compile)

    p = sub.add_parser("screen", help="screen one patient against trials",
                       epilog="example: msmatch screen --patient patient_profiles/p02-ppms-active-maestro-candidate.json "
                              "--trial example_trials/ --as-of 2026-11-01 --json")
    p.add_argument("--patient", required=True, help="patient profile JSON")
    p.add_argument("--trial", action="append", required=True,
                   help="trial record, compiled rule set or folder (repeatable)")
    p.add_argument("--as-of", type=_date, default=date.today(), help="reference date YYYY-MM-DD (default: today)")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.add_argument("--store", metavar="PATH",
                   help=f"results store to record the screenings in (default: ${STORE_ENV}, else ./{DEFAULT_STORE})")
    p.add_argument("--no-store", action="store_true", help="do not record the screenings")
    p.set_defaults(func=cmd_screen)

    p = sub.add_parser("demo", help="screen the bundled example patients against the bundled trials")
    p.add_argument("--examples", default=".", help="folder holding patient_profiles/ and example_trials/")
    p.add_argument("--as-of", type=_date, default=date(2026, 11, 1), help="reference date (default 2026-11-01)")
    p.set_defaults(func=cmd_demo)

    for register in _plugins():
        register(sub)
    return parser


def _plugins():
    """Subcommands contributed by other stages (batch, audit, web), each a ``register(subparsers)``."""
    registers = []
    for module in ("matcher.batch.cli", "matcher.report.audit_cli", "matcher.web.cli", "matcher.evalcompiler"):
        try:
            imported = __import__(module, fromlist=["register"])
        except ModuleNotFoundError as error:
            if error.name and module.startswith(error.name):
                continue
            raise
        registers.append(imported.register)
    return registers


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except NoCriteriaError as error:
        print(f"msmatch: no criteria: {error}", file=sys.stderr)
        return 2
    except MsmatchError as error:
        print(f"msmatch: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("msmatch: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
