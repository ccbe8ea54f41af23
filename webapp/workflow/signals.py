"""Signals of the workflow layer: features talk through these instead of importing each other."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

#: Sent inside the transaction right after the audit row of a transition is added.
#: Sender: the object; keyword arguments ``event`` (a ``workflows.machine.TransitionEvent``) and
#: ``log`` (the audit row). Receivers add rows to the same session (the notification outbox,
#: a review closed by a verdict); they never commit and never send mail.
transition_recorded = _signals.signal("transition-recorded")
