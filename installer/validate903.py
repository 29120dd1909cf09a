#!/usr/bin/env python3
"""Check an SSDA903 export with the sector's own validator (csc-validator-be-903).

The validator needs pandas 1.5 / numpy 1.24, so it lives in its own virtual environment,
never in the app's:

    python3 -m venv ~/v903 && ~/v903/bin/pip install csc-validator-be-903
    lac-monitor export ssda903 --year 2026 --out out/2026
    lac-monitor export ssda903 --year 2025 --out out/2025
    ~/v903/bin/python installer/validate903.py out/2026 --year 2026 --prev out/2025

It reads header.csv, episodes.csv and missing.csv from each folder, runs the rule set for
the collection year and prints the errors per rule (code, count, message, first children).
Exit status: 0 with no errors, 1 with errors, 2 when it cannot run. `--json` prints a
machine-readable summary (used by the test suite).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import io
import json
import logging
import sys
from pathlib import Path

TABLES = ("header.csv", "episodes.csv", "missing.csv")
# Rules whose code is wrong in the validator itself (csc-validator-be-903 0.1.17); hits are
# shown apart from the errors, never hidden. (ruleset, rule) -> (why, test of a hit's row)
KNOWN_DEFECTS = {
    ("lac2024_25", "146"): (
        "its list of placement codes has 'k3' in lower case, so every K3 placement "
        "fails; K3 is valid from 2024-25 (the validator's own rule 503D accepts "
        "H5 last year and K3 this year for 2024-25)",
        lambda ctx: str(ctx.get("PLACE")) == "K3",
    ),
}


def ruleset_for(year: int) -> str:
    """Collection year 2026 (April 2025 - March 2026) is the validator's lac2025_26."""
    return f"lac{year - 1}_{str(year)[2:]}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder", type=Path, help="this year's export (header.csv, episodes.csv, missing.csv)")
    ap.add_argument("--year", type=int, required=True, help="collection year, e.g. 2026 for 2025/26")
    ap.add_argument("--prev", type=Path, help="last year's export, checked beside this year's")
    ap.add_argument(
        "--la", default="E06000000", help="the council's ONS code (placements elsewhere count as out of area)"
    )
    ap.add_argument("--json", action="store_true", help="print a JSON summary")
    ap.add_argument(
        "--shared-copies",
        action="store_true",
        help="run the rules exactly as the validator does (shallow copies shared between rules)",
    )
    args = ap.parse_args(argv)
    logging.disable(logging.CRITICAL)
    try:
        from lac_validator import lac_validator
        from lac_validator.report import Report
        from lac_validator.types import UploadedFile
    except ImportError:
        print(
            "validate903: csc-validator-be-903 is not installed in this Python "
            f"({sys.executable}); see the module docstring",
            file=sys.stderr,
        )
        return 2
    files = []
    for desc, folder in (("This year", args.folder), ("Prev year", args.prev)):
        if folder is None:
            continue
        for name in TABLES:
            path = folder / name
            if not path.exists():
                print(f"validate903: {path} is missing", file=sys.stderr)
                return 2
            files.append(UploadedFile(name=str(path), description=desc, file_content=path.read_bytes()))
    if not args.shared_copies:
        # The validator hands each rule a shallow copy of the tables, and a few rules change
        # columns in place (rules 361/362 fill every open DEC with 31 March), which later rules
        # then read: an open missing period can be reported under 575/577 or not depending on
        # row order. Each rule gets its own deep copy here, as the rules assume.
        from lac_validator import lac_validator as engine

        engine.copy_datastore = lambda ds: {
            k: v.copy(deep=True) if k != "metadata" else v  # type: ignore[assignment]
            for k, v in ds.items()
        }
    registry = importlib.import_module(f"lac_validator.rules.{ruleset_for(args.year)}").registry
    with contextlib.redirect_stdout(io.StringIO()):  # some rules print their working
        v = lac_validator.LacValidator(
            metadata={"collectionYear": str(args.year), "localAuthority": args.la}, files=files, registry=registry
        )
    report = Report(v.ds_results, registry).report
    errors: dict[str, dict[str, object]] = {}
    defects: dict[str, dict[str, object]] = {}
    for col in (c for c in report.columns if c.startswith("ERR_")):
        hit = report[report[col] == True]  # noqa: E712 - pandas mask
        code = col[4:]
        known = KNOWN_DEFECTS.get((ruleset_for(args.year), code))
        if known is not None and len(hit):
            is_defect = hit["Context"].map(known[1])
            if is_defect.any():
                defects[code] = {"count": int(is_defect.sum()), "why": known[0]}
            hit = hit[~is_defect]
        if len(hit):
            errors[code] = {
                "count": len(hit),
                "message": registry[code].message,
                "tables": sorted(set(hit["Table"])),
                "children": sorted({str(c) for c in hit["CHILD"]})[:5],
            }
    total = sum(int(e["count"]) for e in errors.values())  # type: ignore[call-overload]
    if args.json:
        print(
            json.dumps(
                {
                    "year": args.year,
                    "ruleset": ruleset_for(args.year),
                    "errors": total,
                    "rules": errors,
                    "validator_defects": defects,
                    "failed_to_run": v.fails,
                },
                indent=1,
            )
        )
    else:
        for code, e in sorted(errors.items()):
            print(
                f"{code:>8} {e['count']:>6}  {e['message']}  [{', '.join(e['tables'])}] "  # type: ignore[arg-type]
                f"e.g. {', '.join(e['children'])}"
            )  # type: ignore[arg-type]
        for code, d in sorted(defects.items()):
            print(f"{code:>8} {d['count']:>6}  not counted: a defect in the validator: {d['why']}")
        print(
            f"{ruleset_for(args.year)}: {total} errors in {len(errors)} rules"
            + (f"; rules that could not run: {', '.join(v.fails)}" if v.fails else "")
        )
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main())
