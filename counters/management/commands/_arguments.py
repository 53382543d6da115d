"""Arguments shared by the counters' management commands (not a command: the name starts with _)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser


def add_labels(parser: CommandParser) -> None:
    """``LABEL ...``: counters or models; none means all."""
    parser.add_argument(
        "labels",
        nargs="*",
        metavar="LABEL",
        help="a counter (app_label.Model.field) or all counters of a model (app_label.Model); "
        "none means every declared counter",
    )


def add_labels_and_batch_size(parser: CommandParser, *, batch_size: int, batch_help: str) -> None:
    """``LABEL ...`` (:func:`add_labels`) and ``--batch-size``."""
    add_labels(parser)
    parser.add_argument(
        "--batch-size", type=int, default=batch_size, help=f"{batch_help} (default: %(default)s)"
    )


def batch_size(options: dict[str, Any]) -> int:
    """The ``--batch-size`` option, refused unless it is a positive integer."""
    value: int = options["batch_size"]  # argparse: type=int
    if value < 1:
        raise CommandError(f"--batch-size must be a positive integer, not {value}")
    return value


def add_database(parser: CommandParser) -> None:
    """``--database ALIAS`` (default: ``default``), one of the project's ``DATABASES``."""
    from django.db import DEFAULT_DB_ALIAS, connections

    parser.add_argument(
        "--database",
        default=DEFAULT_DB_ALIAS,
        choices=sorted(connections),
        help="the database alias (default: %(default)s)",
    )
