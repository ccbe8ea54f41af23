"""Errors of the job machinery; their text is Russian and safe to show to users."""

from __future__ import annotations


class JobError(Exception):
    """A refused job operation."""


class IllegalJobMove(JobError):
    """The job is not in a state this change may start from."""


class JobNotCancellable(JobError):
    """This kind of job cannot be cancelled."""


class JobCancelled(Exception):
    """Raised inside a job's work at a progress report once cancellation was requested."""


class JobInputError(Exception):
    """The job's parameters or data are unusable; the text is shown to the user as is."""
