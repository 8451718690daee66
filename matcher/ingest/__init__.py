"""Ingest: a trial record in any supported format -> ``Trial`` objects."""

from __future__ import annotations

import json
from pathlib import Path

from ..errors import RecordError
from ..models.trial import Trial
from . import readers

__all__ = ["load_trials", "detect_format", "unescape"]

unescape = readers.unescape


def detect_format(text: str, path: Path) -> str:
    stripped = text.lstrip()
    if path.suffix.lower() == ".csv":
        return "csv"
    if stripped.startswith(("{", "[")):
        return "json"
    if stripped.startswith("---\n") and "nct_id:" in text[:2000]:
        return "markdown_mirror"
    if "Raw JSON" in text and "'protocolSection'" in text:
        return "python_dict_page"
    if "ClinicalTrials.gov Identifier" in text or "Ages Eligible for Study" in text:
        return "ctgov_page_text"
    return "criteria_text"


def load_trials(path: str | Path) -> list[Trial]:
    """Read every trial in a record file.  Raises ``MsmatchError`` naming the file and field."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise RecordError("no such file", file=str(path), hint="check the path") from None
    except IsADirectoryError:
        raise RecordError("is a directory, not a trial record", file=str(path)) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise RecordError(f"not UTF-8 text (byte {error.start})", file=str(path),
                          hint="save the record as UTF-8") from None
    digest = readers.sha256_of(data)
    fmt = detect_format(text, path)
    if fmt == "json":
        try:
            parsed = json.loads(text)
        except json.JSONDecodeError as error:
            raise RecordError(f"invalid JSON at line {error.lineno}, column {error.colno}: {error.msg}",
                              file=str(path)) from None
        return list(readers.read_api_json(parsed, path=path, digest=digest))
    reader = {
        "csv": readers.read_csv,
        "markdown_mirror": readers.read_markdown_mirror,
        "python_dict_page": readers.read_python_dict_page,
        "ctgov_page_text": readers.read_old_page,
        "criteria_text": readers.read_plain_text,
    }[fmt]
    return list(reader(text, path=path, digest=digest))
