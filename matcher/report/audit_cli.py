"""``msmatch explain`` and ``msmatch report``: decisions read back from the results store.

Both read the store ``msmatch screen`` records into (``--store``, else ``$MSMATCH_STORE``, else
``msmatch-results.sqlite`` in the working folder) and never write to it.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..errors import MsmatchError
from .audit import DEFAULT_STORE, STORE_ENV, edit_lines, explain_data, explain_text, find_screening, \
    latest_screenings, open_store
from .html import ReportEntry, render_report

EXPLAIN_EPILOG = f"""example:
  msmatch screen --patient patient_profiles/p01-rrms-fingolimod-washout.json --trial example_trials/ --as-of 2026-11-01
  msmatch explain --patient p01-rrms-fingolimod-washout --trial NCT05208840 --at 2026-11-01

Prints the decision as it was recorded: verdict, reference date, when it ran, the rule set's hash and any
coordinator edits, each failing and unknown criterion with its source text, reason and the patient facts
used. When the profile as screened is stored, the decision is also computed again and compared.
The store is --store, else ${STORE_ENV}, else ./{DEFAULT_STORE}.
"""

REPORT_EPILOG = f"""example:
  msmatch report --patient p01-rrms-fingolimod-washout --out p01.html

Writes one self-contained HTML page (print it from the browser): the trials ranked (eligible, needs review with
the fewest things to confirm first, ineligible with the reasons), when the patient could become eligible,
what to check next, and each criterion's source text highlighted. Uses the latest screening per trial
(with --at: the latest with a reference date on or before it). The store is --store, else ${STORE_ENV},
else ./{DEFAULT_STORE}.
"""


def cmd_explain(args) -> int:
    with open_store(args.store) as store:
        stored = find_screening(store, args.patient, args.trial, args.at, args.run)
        if args.json:
            print(json.dumps(explain_data(stored), indent=2, ensure_ascii=False))
        else:
            print(explain_text(stored))
    return 0


def cmd_report(args) -> int:
    with open_store(args.store) as store:
        screenings = latest_screenings(store, args.patient, args.at)
        entries = [ReportEntry(s.result, s.ruleset, s.patient, s.screened_at, s.run_id, edit_lines(s.ruleset))
                   for s in screenings]
        page = render_report(entries, patient_id=args.patient, source=f"results store {store.path}")
    out = Path(args.out)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(page, encoding="utf-8")
    except OSError as error:
        raise MsmatchError(f"cannot write the report: {error.strerror or error}", file=str(out),
                           hint="choose another --out path") from None
    print(f"wrote {out} ({len(entries)} trials)", file=sys.stderr)
    return 0


def register(subparsers) -> None:
    from ..cli import _date  # the one YYYY-MM-DD parser; imported late because matcher.cli imports this module

    store_help = f"results store (default: ${STORE_ENV}, else ./{DEFAULT_STORE})"
    p = subparsers.add_parser("explain", help="why a patient was (not) eligible for a trial, from the results store",
                              epilog=EXPLAIN_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--patient", required=True, metavar="ID", help="patient id (the profile's 'id')")
    p.add_argument("--trial", required=True, metavar="NCT", help="trial id")
    p.add_argument("--at", type=_date, help="the latest screening with a reference date on or before this date")
    p.add_argument("--run", type=int, metavar="RUN_ID", help="the screening of this run")
    p.add_argument("--store", metavar="PATH", help=store_help)
    p.add_argument("--json", action="store_true", help="print JSON instead of text")
    p.set_defaults(func=cmd_explain)

    p = subparsers.add_parser("report", help="write a printable HTML page of a patient's trials, from the store",
                              epilog=REPORT_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--patient", required=True, metavar="ID", help="patient id (the profile's 'id')")
    p.add_argument("--out", required=True, metavar="FILE.html", help="the HTML file to write")
    p.add_argument("--at", type=_date, help="use screenings with a reference date on or before this date")
    p.add_argument("--store", metavar="PATH", help=store_help)
    p.set_defaults(func=cmd_report)
