"""Unfilled slots: ``placeholder: true`` in an edition is a plan, not a page.

``sahifa new edition`` writes tonight's plan from yesterday's edition with every story slot a
placeholder; the edition reader accepts them (so the plan can be checked and its jumps
validated), and the pipeline refuses them here, before anything is composed: a desk must not
print an unfilled page by accident, and no template ever sees a slot without a story.
"""

from __future__ import annotations

from sahifa.content.edition import Edition
from sahifa.errors import Problem
from sahifa.schema import SchemaError


def unfilled(edition: Edition) -> list[Problem]:
    """One problem per placeholder slot, in page order: where it is written and its id."""
    message = "story slot {!r} is a placeholder: assign an article (article: or briefs:)"
    return [
        Problem("edition", message.format(slot.id), file=edition.path, key=slot.key or None,
                line=slot.line)
        for page in edition.pages
        for slot in page.slots
        if slot.kind == "placeholder"
    ]


def refuse_placeholders(edition: Edition | None) -> None:
    """Raise one error listing every unfilled slot of ``edition`` (one line each), if any."""
    problems = unfilled(edition) if edition is not None else []
    if problems:
        raise SchemaError(problems)
