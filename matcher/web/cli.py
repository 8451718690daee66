"""``msmatch serve``: the clinic web app on this machine (127.0.0.1 by default)."""

from __future__ import annotations

import argparse
import logging
import sys

EPILOG = """example:
  msmatch serve --trials example_trials/ --rules-dir rules/edited --port 8000
  then open http://127.0.0.1:8000/ in a browser.

Trials are compiled once at start-up (records in any format, or compiled rule sets). Coordinator edits are
saved as new versions under --rules-dir (never overwriting one) and used from then on. Patient data is not
written to disk unless the user downloads it or, with --store, saves it to a results store. The JSON API
is described at /api/openapi.json.
"""


def _port(text: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise argparse.ArgumentTypeError(f"not a TCP port: {text!r}")
    return int(text)


def cmd_serve(args) -> int:
    import uvicorn

    from .app import create_app
    from .catalog import TrialCatalog

    logging.basicConfig(level=logging.INFO, format="%(levelname)s: %(name)s: %(message)s")
    trials = args.trials or ["example_trials"]
    print(f"msmatch serve: compiling the trials in {', '.join(trials)} ...", file=sys.stderr)
    catalog = TrialCatalog.load(trials, rules_dir=args.rules_dir)
    if not catalog.entries():
        print("msmatch: error: no trial could be loaded from " + ", ".join(trials), file=sys.stderr)
        return 2
    edited = sum(entry.edited for entry in catalog.entries())
    print(f"msmatch serve: {len(catalog.entries())} trials ({edited} with edited rules), "
          f"{len(catalog.problems)} records not loaded; edited rule sets go to {args.rules_dir}", file=sys.stderr)
    hosts = ["127.0.0.1", "localhost"]
    if args.host in ("0.0.0.0", "::"):
        hosts = ["*"]
    elif args.host not in hosts:
        hosts.append(args.host)
    app = create_app(catalog, allowed_hosts=hosts, store=args.store)
    # Access logs show method, path and status only: patient data travels in POST bodies, never in URLs.
    uvicorn.run(app, host=args.host, port=args.port, log_level=args.log_level, server_header=False)
    return 0


def register(subparsers) -> None:
    p = subparsers.add_parser("serve", help="run the clinic web app (patient form, results, rule review)",
                              epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--trials", action="append", metavar="DIR_OR_FILE",
                   help="trial records, compiled rule sets or folders (repeatable; default example_trials/)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine only)")
    p.add_argument("--port", type=_port, default=8000, help="TCP port (default 8000)")
    p.add_argument("--rules-dir", default="rules/edited", metavar="DIR",
                   help="where coordinator-edited rule-set versions are saved and read (default rules/edited)")
    p.add_argument("--store", metavar="FILE",
                   help="results store (SQLite) that the results page's 'save' button appends to; off by default")
    p.add_argument("--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"])
    p.set_defaults(func=cmd_serve)
