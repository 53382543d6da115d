"""Live counters: committed changes pushed to browsers (Server-Sent Events) and to Python hooks.

Writers never announce anything (a ``NOTIFY`` in a writing transaction takes a global lock at
commit, which serializes every writer). Instead, in each server process one :class:`counters.live.hub.Hub` holds
**one** reader connection, whatever the number of open pages, and every ``interval`` seconds
(50 ms) reads the values of every watched counter (column plus pending deltas) in one query per
target model. Values that changed are pushed to the subscribers that watch them. The database sees
one small read per process per interval, however many pages are open, and only while some page is.

Topics name declared counters: ``counters_social.GlobalStats.total_follows`` (a single-row total),
``counters_social.UserStats.followers_count:42`` (one counter of target row 42) or
``counters_social.UserStats:42`` (every counter of that row, event counters included).

Hooks: :data:`counters_changed` is a Django signal sent by every hub when watched values change
(``model`` label and the ``keys`` whose values changed); ``manage.py listen_counters --watch ...``
runs a hub alone, for a process that forwards changes elsewhere.
"""

from __future__ import annotations

from counters.live.signals import counters_changed

__all__ = ["counters_changed"]
