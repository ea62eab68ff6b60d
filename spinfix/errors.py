"""Errors spinfix raises on purpose; the CLI turns them into a message and exit code 2."""


class SpinfixError(Exception):
    """Base class for errors with a message meant for the user."""


class InputError(SpinfixError):
    """The input cannot be read as text (empty, binary, not UTF-8, too large)."""


class ModelError(SpinfixError):
    """A model could not be found or loaded."""
