"""Coordinator corrections of compiled rules, validated and recorded for audit.

A coordinator who disagrees with the compiler replaces one criterion's rules (and, optionally, its
coverage). :func:`apply_edit` validates the new rules against the rule schema, returns a *new* rule set
(rule sets are immutable) whose ``edits`` list gains a :class:`~matcher.models.rules.RuleEdit` naming who,
when, why and the content hashes before and after, so an auditor can tell machine-compiled rules from
hand-corrected ones. The source text and span of the criterion never change: an edit corrects the reading,
not the trial.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Optional

from pydantic import TypeAdapter, ValidationError

from .errors import MsmatchError
from .models.rules import CompiledCriterion, Rule, RuleEdit, RuleSet

__all__ = ["apply_edit", "is_edited", "EditError"]

_RULES = TypeAdapter(list[Rule])


class EditError(MsmatchError):
    """An edit that does not fit the rule schema or names no criterion of the trial."""


def _loc(error: ValidationError) -> tuple[str, str]:
    first = error.errors()[0]
    return first["msg"], ".".join(str(x) for x in first["loc"])


def apply_edit(ruleset: RuleSet, criterion_id: str, rules: Any, *, editor: str, reason: str = "",
               coverage: Optional[str] = None, at: Optional[datetime] = None) -> RuleSet:
    """A copy of ``ruleset`` with criterion ``criterion_id``'s rules replaced and the edit recorded.

    ``rules`` is a list of rule objects or of plain dicts / JSON (as a reviewer writes them). Each rule's
    ``criterion_id``, ``section`` and ``text`` default to the criterion's own. Raises :class:`EditError`
    naming the trial, criterion and field when the rules do not validate.
    """
    if not editor or not editor.strip():
        raise EditError("an edit must name its editor", record=ruleset.trial_id, field="editor",
                        hint="give the coordinator's name or login")
    index = next((i for i, c in enumerate(ruleset.criteria) if c.id == criterion_id), None)
    if index is None:
        known = ", ".join(c.id for c in ruleset.criteria)
        raise EditError(f"no criterion {criterion_id!r} in {ruleset.trial_id}", record=ruleset.trial_id,
                        field="criterion_id", hint=f"criteria are: {known}")
    old = ruleset.criteria[index]
    if isinstance(rules, str):
        try:
            parsed = _RULES.validate_json(rules)
        except ValidationError as error:
            msg, field = _loc(error)
            raise EditError(f"rules do not fit the schema: {msg}", record=f"{ruleset.trial_id} {criterion_id}",
                            field=f"rules.{field}", hint="see matcher/models/rules.py for each kind's fields") from None
        rules = [r.model_dump(mode="json") for r in parsed]
    if not isinstance(rules, list) or not rules:
        raise EditError("an edit needs at least one rule (use kind 'manual_review' to send a criterion to review)",
                        record=f"{ruleset.trial_id} {criterion_id}", field="rules")
    defaults = {"criterion_id": old.id, "section": old.section, "text": old.text, "span": list(old.span)}
    filled = []
    for n, rule in enumerate(rules):
        data = rule.model_dump(mode="json") if hasattr(rule, "model_dump") else rule
        if not isinstance(data, dict):
            raise EditError("each rule must be an object", record=f"{ruleset.trial_id} {criterion_id}",
                            field=f"rules.{n}")
        data = {**defaults, "id": f"{old.id}.r{n + 1}", "polarity": "exclude" if old.section == "exclusion"
                else "require", **data}
        filled.append(data)
    try:
        new_rules = _RULES.validate_python(filled)
        new = CompiledCriterion.model_validate({**old.model_dump(mode="json"), "rules": [
            r.model_dump(mode="json") for r in new_rules], "coverage": coverage or _coverage(new_rules)})
    except ValidationError as error:
        msg, field = _loc(error)
        raise EditError(f"rules do not fit the schema: {msg}", record=f"{ruleset.trial_id} {criterion_id}",
                        field=f"rules.{field}", hint="see matcher/models/rules.py for each kind's fields") from None
    criteria = list(ruleset.criteria)
    criteria[index] = new
    before_sha = ruleset.content_sha256()
    edited = ruleset.model_copy(update={"criteria": criteria})
    edit = RuleEdit(editor=editor.strip(), at=at or datetime.now(timezone.utc), criterion_id=criterion_id,
                    reason=reason, before_sha256=before_sha, after_sha256=edited.content_sha256(),
                    before=_summary(old), after=_summary(new))
    return edited.model_copy(update={"edits": [*ruleset.edits, edit]})


def _coverage(rules) -> str:
    kinds = {r.kind for r in rules}
    if kinds == {"manual_review"}:
        return "manual"
    return "partial" if "manual_review" in kinds else "full"


def _summary(criterion: CompiledCriterion) -> dict:
    return {"coverage": criterion.coverage, "rules": [r.model_dump(mode="json", exclude_none=True)
                                                      for r in criterion.rules]}


def is_edited(ruleset: RuleSet) -> bool:
    """True when the rules now in force were corrected by hand after compilation."""
    return bool(ruleset.edits) and ruleset.edits[-1].after_sha256 == ruleset.content_sha256()
