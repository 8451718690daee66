"""Readers for each trial record format.  Each returns ``Trial`` objects.

Formats (detected from content, not only the file name):

- ClinicalTrials.gov API v2 JSON: one study, a list of studies, or a search response with ``studies``;
- an API v2 study printed as a Python dict (single quotes, ``True``/``False``) inside a page;
- the old ClinicalTrials.gov page text ("Ages Eligible for Study", "Inclusion Criteria:");
- a markdown mirror with YAML front matter (``nct_id:``) and an ``## Eligibility`` section;
- CSV rows with a ``criteria`` column (the HINT dataset's raw XML text block);
- plain criteria text.
"""

from __future__ import annotations

import ast
import csv
import hashlib
import html
import io
import re
from pathlib import Path
from typing import Iterator, Optional

from ..errors import NoCriteriaError, RecordError
from ..models.trial import Trial

NCT_RE = re.compile(r"\bNCT\d{8}\b")
CRITERIA_HEADER_RE = re.compile(r"(?im)^[\s#*>|-]*(?:key\s+)?(?:inclusion|exclusion)\s+criteria\b")

# Markdown escapes (\<, \>=, \[, \-) and HTML entities, possibly escaped twice (&amp;lt;).
_MD_ESCAPE_RE = re.compile(r"\\([<>\[\]()*_#&=+\-.!|`~{}])")


def unescape(text: str) -> str:
    """Undo what sources escaped: markdown backslashes and (double) HTML entities."""
    for _ in range(3):
        undone = html.unescape(_MD_ESCAPE_RE.sub(r"\1", text))
        if undone == text:
            break
        text = undone
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ")


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _trial_id(candidates: list[Optional[str]], path: Path) -> str:
    for candidate in candidates:
        if candidate:
            return candidate
    match = NCT_RE.search(path.name)
    return match.group(0) if match else path.stem


# --- API v2 -----------------------------------------------------------------------------

def trial_from_api_study(study: dict, *, path: Path, record: str, digest: str, fmt: str) -> Trial:
    if not isinstance(study, dict) or "protocolSection" not in study:
        raise RecordError("not a ClinicalTrials.gov API v2 study (no 'protocolSection')",
                          file=str(path), record=record, field="protocolSection",
                          hint="pass a study record or a search response holding 'studies'")
    protocol = study["protocolSection"]
    ident = protocol.get("identificationModule", {})
    elig = protocol.get("eligibilityModule")
    trial_id = _trial_id([ident.get("nctId")], path)
    if not elig or not (elig.get("eligibilityCriteria") or "").strip():
        raise NoCriteriaError("the study has no eligibility criteria text", file=str(path),
                              record=trial_id, field="protocolSection.eligibilityModule.eligibilityCriteria")
    return Trial(
        id=trial_id,
        title=ident.get("briefTitle") or ident.get("officialTitle"),
        criteria_text=unescape(elig["eligibilityCriteria"]),
        minimum_age=elig.get("minimumAge"),
        maximum_age=elig.get("maximumAge"),
        sex=elig.get("sex"),
        healthy_volunteers=elig.get("healthyVolunteers"),
        source=str(path), source_format=fmt, record=record, source_sha256=digest,
    )


def read_api_json(data: object, *, path: Path, digest: str) -> Iterator[Trial]:
    if isinstance(data, dict) and "studies" in data:
        studies = data["studies"]
    elif isinstance(data, list):
        studies = data
    else:
        studies = [data]
    for index, study in enumerate(studies):
        yield trial_from_api_study(study, path=path, record=f"#{index}", digest=digest, fmt="ctgov_api_v2_json")


def read_python_dict_page(text: str, *, path: Path, digest: str) -> Iterator[Trial]:
    """An API v2 study printed with Python's repr() (single quotes, True/False) inside a page."""
    start = text.find("{'")
    end = text.rfind("}")
    if start < 0 or end < start:
        raise RecordError("no study dict found", file=str(path))
    # The dict may be followed by stray text; back off to the last '}' that parses.
    while end > start:
        try:
            study = ast.literal_eval(text[start:end + 1])
            break
        except (SyntaxError, ValueError):
            end = text.rfind("}", start, end)
    else:
        raise RecordError("the printed study dict does not parse", file=str(path),
                          hint="the record may be truncated; export it again")
    yield trial_from_api_study(study, path=path, record="#0", digest=digest, fmt="ctgov_api_v2_pydict")


# --- old page text ---------------------------------------------------------------------

_PAGE_END_RE = re.compile(
    r"(?im)^\s*(?:To learn more about this study|Information from the National Library of Medicine|"
    r"Contacts and Locations|Please refer to this study by its)")
_AGES_RE = re.compile(r"Ages Eligible for Study:\s*\|?\s*(\d+\s+\w+)?\s*(?:to\s+(\d+\s+\w+)|and older)?", re.I)
_SEXES_RE = re.compile(r"(?:Sexes?|Genders?) Eligible for Study:\s*\|?\s*(All|Female|Male|Both)", re.I)
_HV_RE = re.compile(r"Accepts Healthy Volunteers:\s*\|?\s*(Yes|No)", re.I)


# The PDQ-era page (1990s records): a "Criteria" heading over category lines ("--Disease Characteristics--",
# "--Prior/Concurrent Therapy--") and no inclusion / exclusion headings; every item is an inclusion, its "No ..."
# items exclusions by their own words
_PDQ_CRITERIA_RE = re.compile(r"(?m)^\s*Criteria\s*\n(?=(?:\s*\n)*\s*--[^\n]*--\s*$)")


def _criteria_block(text: str) -> tuple[str, int]:
    match = CRITERIA_HEADER_RE.search(text)
    pdq = _PDQ_CRITERIA_RE.search(text) if not match else None
    if not (match or pdq):
        return "", -1
    match = match or pdq
    start = match.end() if pdq else match.start()  # (the bare "Criteria" heading is no criterion)
    end_match = _PAGE_END_RE.search(text, match.end())
    end = end_match.start() if end_match else len(text)
    return text[start:end].strip("\n"), start


def read_old_page(text: str, *, path: Path, digest: str) -> Iterator[Trial]:
    block, _ = _criteria_block(text)
    ids = NCT_RE.findall(text)
    trial_id = _trial_id([ids[0] if ids else None], path)
    if not block:
        raise NoCriteriaError("the page holds no 'Inclusion Criteria' / 'Exclusion Criteria' section",
                              file=str(path), record=trial_id)
    ages = _AGES_RE.search(text)
    sexes = _SEXES_RE.search(text)
    healthy = _HV_RE.search(text)
    title = next((line.strip() for line in text.splitlines() if line.strip()
                  and "ClinicalTrials.gov" not in line), None)
    yield Trial(
        id=trial_id, title=title, criteria_text=unescape(block),
        minimum_age=ages.group(1) if ages and ages.group(1) else None,
        maximum_age=ages.group(2) if ages and ages.group(2) else None,
        sex=(sexes.group(1).upper().replace("BOTH", "ALL") if sexes else None),
        healthy_volunteers=(healthy.group(1).lower() == "yes") if healthy else None,
        source=str(path), source_format="ctgov_page_text", record="#0", source_sha256=digest,
    )


# --- markdown mirror ---------------------------------------------------------------------

_FRONT_MATTER_RE = re.compile(r"\A---\n(.*?)\n---\n", re.S)
_MD_FIELD_RE = re.compile(r"^\s*-\s*\*\*(Minimum age|Maximum age|Sex|Healthy Volunteers):\*\*\s*(.+?)\s*$", re.M | re.I)


def read_markdown_mirror(text: str, *, path: Path, digest: str) -> Iterator[Trial]:
    front = _FRONT_MATTER_RE.match(text)
    meta: dict[str, str] = {}
    if front:
        for line in front.group(1).splitlines():
            key, sep, value = line.partition(":")
            if sep:
                meta[key.strip()] = value.strip().strip('"')
    body = text[front.end():] if front else text
    trial_id = _trial_id([meta.get("nct_id")], path)
    eligibility = re.search(r"(?ms)^##\s*Eligibility\s*$(.*?)(?=^##\s)", body + "\n## end\n")
    section = eligibility.group(1) if eligibility else body
    fence = re.search(r"```[^\n]*\n(.*?)```", section, re.S)
    block = fence.group(1) if fence else _criteria_block(section)[0]
    if not block.strip():
        raise NoCriteriaError("the mirror has no eligibility criteria", file=str(path), record=trial_id,
                              field="## Eligibility")
    fields = {m.group(1).lower(): m.group(2) for m in _MD_FIELD_RE.finditer(section)}
    healthy = fields.get("healthy volunteers")
    yield Trial(
        id=trial_id, title=meta.get("title"), criteria_text=unescape(block.strip("\n")),
        minimum_age=fields.get("minimum age"), maximum_age=fields.get("maximum age"),
        sex=fields.get("sex", "").upper() or None,
        healthy_volunteers=None if healthy is None else healthy.lower().startswith("y"),
        source=str(path), source_format="markdown_mirror", record="#0", source_sha256=digest,
    )


# --- CSV ------------------------------------------------------------------------------

def read_csv(text: str, *, path: Path, digest: str) -> Iterator[Trial]:
    reader = csv.DictReader(io.StringIO(text))
    fields = {name.lower(): name for name in (reader.fieldnames or [])}
    if "criteria" not in fields:
        raise RecordError("CSV has no 'criteria' column", file=str(path), field="criteria",
                          hint=f"columns found: {', '.join(reader.fieldnames or [])}")
    id_column = next((fields[name] for name in ("nctid", "nct_id", "trial_id", "id") if name in fields), None)
    for line_no, row in enumerate(reader, start=2):
        trial_id = _trial_id([row.get(id_column) if id_column else None], path)
        criteria = unescape(row.get(fields["criteria"]) or "")
        if not criteria.strip():
            raise NoCriteriaError("empty 'criteria' cell", file=str(path), record=f"line {line_no}",
                                  field="criteria")
        yield Trial(
            id=trial_id, title=row.get(fields["title"]) if "title" in fields else None,
            criteria_text=criteria.strip("\n"),
            minimum_age=row.get(fields["minimum_age"]) if "minimum_age" in fields else None,
            maximum_age=row.get(fields["maximum_age"]) if "maximum_age" in fields else None,
            sex=row.get(fields["sex"]) if "sex" in fields else None,
            source=str(path), source_format="csv", record=f"line {line_no}", source_sha256=digest,
        )


# --- plain text -------------------------------------------------------------------------

_BULLET_LINE_RE = re.compile(r"(?m)^\s*(?:[-*•·▪◦]|\d{1,2}[.)])\s+\S")

def read_plain_text(text: str, *, path: Path, digest: str) -> Iterator[Trial]:
    ids = NCT_RE.findall(text)
    trial_id = _trial_id([NCT_RE.search(path.name).group(0) if NCT_RE.search(path.name) else None,
                          ids[0] if ids else None], path)
    if not text.strip():
        raise NoCriteriaError("the file is empty", file=str(path))
    if not CRITERIA_HEADER_RE.search(text) and not _BULLET_LINE_RE.search(text):
        cited = f" (it cites {', '.join(dict.fromkeys(ids))})" if ids else ""
        raise NoCriteriaError(
            f"no eligibility criteria found: no 'Inclusion Criteria' or 'Exclusion Criteria' section{cited}",
            file=str(path), hint="this looks like an article, not a trial record; fetch the trial's own record")
    yield Trial(id=trial_id, criteria_text=unescape(text).strip("\n"), source=str(path),
                source_format="criteria_text", record="#0", source_sha256=digest)
