"""The live counters' hook for Python code (see :mod:`counters.live`)."""

from __future__ import annotations

from django.dispatch import Signal

#: Sent by the hub of each process when watched values changed (one read found them different),
#: with ``model`` (the target model's label, e.g. ``"counters_social.UserStats"``) and ``keys``
#: (the target keys whose watched values changed).
#: Receivers may be ``async def``; they run in the hub's event loop (``Signal.asend``).
counters_changed = Signal()
