"""The error a person sees: every bad input raises :class:`InputError`, worded for the page, so the
app shows its message and keeps what was shown before (errors of a concept, such as
:class:`~embedviz.VectorFileError`, subclass it)."""


class InputError(ValueError):
    """A problem with what a person typed, worded for showing on the page."""
