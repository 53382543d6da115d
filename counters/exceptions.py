"""Errors the counters app raises."""


class CounterError(Exception):
    """Base class of the counters app's errors."""


class CounterDeclarationError(CounterError):
    """A ``Count``/``Events`` declaration that cannot be resolved (reported by ``manage.py check``)."""


class TriggerKeptCounterError(CounterError):
    """Something tried to write a counter that the database keeps with triggers."""


class UnknownCounterError(CounterError, LookupError):
    """A label, model or field that names no declared counter."""
