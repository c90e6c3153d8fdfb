"""The one path every change to a lab takes, from the REST API and the designer alike.

A change claims the lab's next version (compare-and-set: a stale If-Match gets 412), applies itself to the
rows, validates the whole lab as a document, and records the new version — its whole document, when, via
what, and a summary for people (SPEC §11). Undo, redo and revert are changes like any other. Nothing else
writes a lab."""
