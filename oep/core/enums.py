"""Enumerations whose members carry a label a person reads.

Statuses, kinds and roles are stored by their value and shown by their label::

    class SessionStatus(LabelledEnum):
        TENTATIVE = "tentative", _l("Not yet confirmed")
        HELD = "held", _l("Held")

    SessionStatus("held").label  # "Held", translated when shown
"""

from __future__ import annotations

import enum

from flask_babel import LazyString


class LabelledEnum(enum.StrEnum):
    """A ``StrEnum`` whose members are declared as ``NAME = value, label``; the label is a lazy
    gettext string, translated into the reader's language when it is rendered."""

    _label: LazyString | str

    def __new__(cls, value: str, label: LazyString | str | None = None):
        member = str.__new__(cls, value)
        member._value_ = value
        member._label = label if label is not None else value
        return member

    @property
    def label(self) -> LazyString | str:
        """What a person reads for this member (lazy: translated when rendered)."""
        return self._label

    @classmethod
    def choices(cls) -> list[tuple[str, LazyString | str]]:
        """``(value, label)`` pairs in declaration order, for a form's select field."""
        return [(member.value, member.label) for member in cls]
