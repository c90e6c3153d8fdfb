"""Undo, redo, revert and checkpoints [H]: each of the first three is a change that makes a new version (so an
undo can itself be undone); a checkpoint names the current version."""

from sqlmodel import Session

from app.db.labs import get_lab
from app.errors import Conflict
from app.labs.changes import Change, replace_lab, stored_document
from app.labs.versions import LabVersionRow, Via, get_version, kept_document, stacks


def undo(session: Session, lab_id: int, if_match: str | None) -> Change[None]:
    """The lab returns to the document before its last change (one that is not already undone)."""
    get_lab(session, lab_id, for_update=True)  # no other change may land between reading the stack and acting
    pending = stacks(session, lab_id).undo
    if not pending:
        raise Conflict(f"nothing to undo in lab {lab_id}: no change since it was created, or all are undone")
    return _again(session, lab_id, if_match, Via.UNDO, pending[-1], pending[-1] - 1)


def redo(session: Session, lab_id: int, if_match: str | None) -> Change[None]:
    """Re-applies what the last undo took back; any other change since then has emptied the redo stack."""
    get_lab(session, lab_id, for_update=True)
    pending = stacks(session, lab_id).redo
    if not pending:
        raise Conflict(f"nothing to redo in lab {lab_id}: no undo since its last change")
    return _again(session, lab_id, if_match, Via.REDO, pending[-1], pending[-1])


def _again(session: Session, lab_id: int, if_match: str | None, via: Via, change: int, target: int) -> Change[None]:
    """The lab takes version `target`'s document again, undoing or redoing version `change`."""
    summary = f"{via}: {get_version(session, lab_id, change).summary}"
    document = stored_document(kept_document(get_version(session, lab_id, target)))
    return replace_lab(session, lab_id, document, if_match, via, summary, target)


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
