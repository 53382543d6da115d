"""The public declaration API: ``@counters.register(Count(...), Events(...))`` on a target model.

A declaration only records what the user wrote. It is resolved into a :class:`counters.core.counter.Counter`
when the app registry is ready (``counters.core.registry.build``); that one object then drives the
triggers, the recount SQL, the drift check, the F() helper and the admin display.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from django.db import models

ModelT = TypeVar("ModelT", bound=type[models.Model])


@dataclass(frozen=True)
class Count:
    """A counter kept by the database: ``field`` holds how many ``source`` rows point at this row.

    Args:
        field: the integer field on the decorated (target) model that holds the count.
        source: the model whose rows are counted, as a class or an ``"app_label.Model"`` string.
        path: how a source row reaches its target row: a foreign key on the source (``"followed"``)
            or a ``__``-separated chain of them (``"session__user"``). The chain ends at the target
            model itself, or at the model the target's primary key points to (a one-to-one "stats"
            table, whose rows are created on the first count). ``None`` counts every source row into
            a single-row target (site-wide totals).
        condition: an optional ``Q`` on the source model's own fields; only rows that satisfy it
            count, and updates that change it move the count.
        slots: deprecated and ignored (``manage.py check`` says so, ``counters.W002``): every
            counter is kept without ever waiting on a hot row.
        public: whether anyone, signed in or not, may watch this counter on the live stream.
            Other counters are streamed only when ``COUNTERS_STREAM_AUTHORIZE`` allows it.
        distinct: a field of the source model: count the different non-null values of it among
            the counted rows instead of the rows ("how many different people commented").
            Recomputed from the source rows of the key at each change: give the source an index
            starting with the path's first foreign key and this field.

    Example::

        @counters.register(
            counters.Count("followers_count", source="counters_social.Follow", path="followed"),
        )
        class UserStats(models.Model): ...
    """

    field: str
    source: type[models.Model] | str
    path: str | None = None
    condition: models.Q | None = None
    slots: int | None = None
    public: bool = False
    distinct: str | None = None


@dataclass(frozen=True)
class Events:
    """Counters of events that have no rows (views, generations), bumped with ``counters.increment``.

    Declaring them lets ``increment`` validate its input and the admin show them read-only.
    ``public=True`` lets anyone watch them on the live stream (see ``Count``).
    """

    fields: tuple[str, ...] = field(default_factory=tuple)
    public: bool = False

    def __init__(self, *fields: str, public: bool = False) -> None:
        object.__setattr__(self, "fields", tuple(fields))
        object.__setattr__(self, "public", public)


@dataclass(frozen=True)
class _Aggregate:
    field: str
    source: type[models.Model] | str
    column: str = ""
    path: str | None = None
    condition: models.Q | None = None
    public: bool = False

    kind = ""

    def __post_init__(self) -> None:
        if not self.column:
            raise TypeError(f"counters.{type(self).__name__}() needs column=: the source field")


@dataclass(frozen=True)
class Sum(_Aggregate):
    """``field`` holds the sum of ``source.column`` over the source rows reaching this row.

    ``column`` is an integer or decimal field of the source model (a ``NULL`` adds nothing); the
    target ``field`` is an integer field (of an integer column) or a decimal field with at least
    as many decimal places, ``NOT NULL`` with ``db_default=0``. Same ``path``, ``condition``,
    many-to-many and third-party sources as :class:`Count`; an UPDATE of the column, the path or
    the condition moves the right amounts.

    Example::

        @counters.register(counters.Sum("total_amount", source="shop.LineItem", path="order",
                                         column="amount"))
        class Order(models.Model):
            total_amount = models.DecimalField(max_digits=14, decimal_places=2, db_default=0)
    """

    kind = "sum"


@dataclass(frozen=True)
class Min(_Aggregate):
    """``field`` holds the smallest ``source.column`` (a timestamp, date, integer or decimal)
    over the source rows reaching this row, ``NULL`` when there are none. The target ``field``
    has the column's type and ``null=True``.

    Inserts land as ``least``; when a row leaves (delete, or an update of the column, the path
    or the condition) its target is recomputed from the source rows when pending deltas fold,
    and reads compute it meanwhile: exact whatever runs concurrently. ``manage.py check`` warns
    (``counters.W003``) when no index serves that recompute.
    """

    kind = "min"


@dataclass(frozen=True)
class Max(_Aggregate):
    """``field`` holds the largest ``source.column``; see :class:`Min`.

    Example: the time of a user's latest post::

        counters.Max("last_post_at", source="blog.Post", path="author", column="created_at")
    """

    kind = "max"


Declaration = Count | Sum | Min | Max | Events

# (target model, declaration), in the order they were written; resolved by registry.build().
declared: list[tuple[type[models.Model], Declaration]] = []


def register(*declarations: Declaration) -> Callable[[ModelT], ModelT]:
    """Class decorator declaring the counters held by a model.

    Every ``Count`` gets statement-level triggers on its source model (and on every model along its
    path), registered with django-pgtrigger so ``makemigrations`` writes them into the source app's
    migrations; every declared field becomes read-only in ``CounterAdminMixin``.
    """
    for declaration in declarations:
        if not isinstance(declaration, Count | Sum | Min | Max | Events):
            raise TypeError(
                "counters.register() takes Count(...), Sum(...), Min(...), Max(...) or "
                f"Events(...), not {declaration!r}"
            )

    def decorator(model: ModelT) -> ModelT:
        for declaration in declarations:
            declared.append((model, declaration))
        return model

    return decorator
