"""Exceptions raised for user errors.

Every error a user can cause (a scenario, a command-line option, a data file)
is an :class:`SsisimError`. The command line prints its message on one line and
exits with status 2; the library lets it propagate.
"""

from __future__ import annotations


class SsisimError(Exception):
    """Base class for every error caused by user input."""


class ScenarioError(SsisimError):
    """A scenario file or a ``--set`` override is invalid.

    The message has the form ``FILE:LINE: key.path: what is wrong (got VALUE)``.
    """


class OperationalError(SsisimError):
    """The machine, not the input, failed the command: a disk full, a folder that
    cannot be written, worker processes that cannot start.

    The command line prints it on one line and exits with status 1.
    """


class DataError(SsisimError):
    """A data file (results directory, readings) is missing or malformed."""
