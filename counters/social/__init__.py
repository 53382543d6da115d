"""The built-in social counters: follows, posts, per-user stats and site totals.

An optional app: add ``"counters.social"`` to ``INSTALLED_APPS`` beside ``"counters"`` to get the
``Follow``, ``Post``, ``UserStats`` (table ``user_stats``) and ``GlobalStats`` models. They are
declared with the same public API a project uses for its own counters.
"""
