"""Undo, redo, revert and checkpoints [H]: each of the first three is a change that makes a new version (so an
undo can itself be undone); a checkpoint names the current version."""

from sqlmodel import Session

from app.db.labs import get_lab
from app.errors import Conflict
from app.labs.changes import Change, replace_lab, stored_document
from app.labs.versions import LabVersionRow, Via, get_version, kept_document, stacks, summaries


def undo(session: Session, lab_id: int, if_match: str | None) -> Change[None]:
    """The lab returns to the document before its last change (one that is not already undone)."""
    get_lab(session, lab_id, for_update=True)  # no other change may land between reading the stack and acting
    pending = stacks(session, lab_id).undo
    if not pending:
        raise Conflict(f"nothing to undo in lab {lab_id}: no change since it was created, or all are undone")
    change = pending[-1]
    before = kept_document(get_version(session, lab_id, change - 1))
    summary = summaries(session, lab_id, [change]).get(change, f"version {change}")
    return replace_lab(session, lab_id, stored_document(before), if_match, Via.UNDO, f"undo: {summary}", change - 1)


def redo(session: Session, lab_id: int, if_match: str | None) -> Change[None]:
    """Re-applies what the last undo took back; any other change since then has emptied the redo stack."""
    get_lab(session, lab_id, for_update=True)
    pending = stacks(session, lab_id).redo
    if not pending:
        raise Conflict(f"nothing to redo in lab {lab_id}: no undo since its last change")
    change = pending[-1]
    after = kept_document(get_version(session, lab_id, change))
    summary = summaries(session, lab_id, [change]).get(change, f"version {change}")
    return replace_lab(session, lab_id, stored_document(after), if_match, Via.REDO, f"redo: {summary}", change)


def revert(session: Session, lab_id: int, version: int, if_match: str | None) -> Change[None]:
    """The lab takes an earlier version's document, as a new version."""
    lab = get_lab(session, lab_id, for_update=True)
    if version == lab.version:
        raise Conflict(f"lab {lab_id} is at version {version} already")
    document = kept_document(get_version(session, lab_id, version))
    summary = f"revert to version {version}"
    return replace_lab(session, lab_id, stored_document(document), if_match, Via.REVERT, summary, version)


def name_version(session: Session, lab_id: int, name: str) -> LabVersionRow:
    """Names the lab's current version; a checkpoint's document is never pruned."""
    lab = get_lab(session, lab_id)
    row = get_version(session, lab_id, lab.version)
    row.checkpoint = name
    session.add(row)
    return row
