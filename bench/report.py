"""The report: bench/results/latest.json and the figures in docs/benchmarks.md."""

from __future__ import annotations

import json
from collections.abc import Callable

from bench.common import RESULTS, ROOT


def save(quick: bool) -> None:
    """Merge this run's figures into bench/results/latest.json and docs/benchmarks.md (after every
    section, so a failure later keeps what was measured); sections skipped keep their last ones."""
    if quick:
        return
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    latest = out / "latest.json"
    previous = json.loads(latest.read_text()) if latest.exists() else {}
    merged = {**previous, **RESULTS}
    RESULTS.clear()
    RESULTS.update(merged)
    latest.write_text(json.dumps(RESULTS, indent=2) + "\n")
    write_docs()


def markdown_table(header: list[str], marker: str, row: Callable[[str, dict], str]) -> list[str]:
    """A table of every result that has ``marker``, rendered by ``row(name, result)``."""
    rows = [row(name, r) for name, r in RESULTS.items() if isinstance(r, dict) and marker in r]
    return ["", "| " + " | ".join(header) + " |", "|" + "---|" * len(header), *rows]


def figures_markdown() -> str:
    m = RESULTS["machine"]
    lines = [
        f"Measured {m['date']} on {m['platform']}, {m['cpus']} cores, {m['postgres']} "
        f"(fsync {m['fsync']}, shared_buffers {m['shared_buffers']}), Python {m['python']}. "
        "Medians of the rounds shown; spread is min-max."
    ]

    def with_folder(r: dict) -> str:
        folder = r.get("alternatives", {}).get("counted + folder")
        return f"**{folder['ratio']:.2f}x**" if folder else "-"

    lines += markdown_table(
        [
            "write",
            "rounds",
            "counted",
            "triggers off",
            "ratio, no folder",
            "ratio, with a folder",
            "counted spread",
            "off spread",
        ],
        "ratio",
        lambda name, r: (
            f"| {name} | {r['rounds']} | {r['counted_s']:.3f} s | {r['off_s']:.3f} s | "
            f"**{r['ratio']:.2f}x** | {with_folder(r)} | "
            f"{r['counted_spread_s'][0]:.3f}-{r['counted_spread_s'][1]:.3f} s | "
            f"{r['off_spread_s'][0]:.3f}-{r['off_spread_s'][1]:.3f} s |"
        ),
    )
    lines += markdown_table(
        [
            "Sum, Min, Max (testapp.Order over its line items)",
            "rounds",
            "counted",
            "triggers off",
            "ratio",
            "the fold after it",
            "counted spread",
            "off spread",
            "drift after",
        ],
        "aggregate_ratio",
        lambda name, r: (
            f"| {name} | {r['rounds']} | {r['counted_s']:.3f} s | {r['off_s']:.3f} s | "
            f"**{r['aggregate_ratio']:.2f}x** | {r.get('fold_after_s', 0):.3f} s | "
            f"{r['counted_spread_s'][0]:.3f}-{r['counted_spread_s'][1]:.3f} s | "
            f"{r['off_spread_s'][0]:.3f}-{r['off_spread_s'][1]:.3f} s | "
            f"{r['counted_drifted_values']} |"
        ),
    )
    lines += markdown_table(
        [
            "Distinct count beside a plain count (bench_shop.Shop)",
            "rounds",
            "counted",
            "triggers off",
            "ratio",
            "per row counted",
            "per row off",
            "drift after",
        ],
        "distinct_ratio",
        lambda name, r: (
            f"| {name} | {r['rounds']} | {r['counted_s']:.3f} s | {r['off_s']:.3f} s | "
            f"**{r['distinct_ratio']:.2f}x** | {r['per_op_counted_ms']:.3f} ms | "
            f"{r['per_op_off_ms']:.3f} ms | {r['counted_drifted_values']} |"
        ),
    )
    if any(isinstance(r, dict) and r.get("alternatives") for r in RESULTS.values()):

        def cell(ratio: float, drifted: int) -> str:
            wrong = "exact" if drifted == 0 else f"**{drifted:,} values wrong**"
            return f"{ratio:.2f}x, {wrong}"

        def alternatives_row(name: str, r: dict) -> str:
            alts = r["alternatives"]
            cells = [
                cell(alts[d]["ratio"], alts[d]["drifted_values"]) if d in alts else "-"
                for d in ("row trigger", "signals")
            ]
            rounds = min(a["rounds"] for a in alts.values())
            return (
                f"| {name} | {cell(r['ratio'], r.get('counted_drifted_values', 0))} | "
                f"{cells[0]} | {cells[1]} | 1.00x, exact (reads pay) | {rounds} |"
            )

        lines += markdown_table(
            [
                "write (time vs triggers off; drift after it)",
                "**counters** (statement triggers)",
                "row-level trigger",
                "app-side `F()` in signals",
                "`COUNT(*)` at read time",
                "alternative rounds",
            ],
            "alternatives",
            alternatives_row,
        )
    if any(isinstance(r, dict) and "cached_ms" in r for r in RESULTS.values()):
        lines += markdown_table(
            [
                "read one user's followers count",
                "documented read (`UserStats.objects.for_user`)",
                "`COUNT(*)` over the follows index",
                "COUNT(*) / cached",
            ],
            "cached_ms",
            lambda name, r: (
                f"| {r['followers']:,} followers | {r['cached_ms']:.3f} ms | {r['count_ms']:.3f} ms | "
                f"{r['count_vs_cached']:.1f}x |"
            ),
        )
        flat = RESULTS.get("read flatness", {}).get("largest_vs_smallest")
        if flat:
            lines.append(f"\nCached read at the largest vs the smallest count: **{flat:.2f}x**.")
    lines += markdown_table(
        [
            "writers (one insert per transaction)",
            "processes",
            "triggers off",
            "**counters**, no folder",
            "**counters** + a folder",
            "row-level trigger",
            "most deltas pending (one key / all), no folder",
        ],
        "concurrency_ratio",
        lambda name, r: (
            f"| {r['client']}, {r['kind']} | {r['writers']} | {r['off_per_s']:,.0f}/s | "
            f"{r['counted_per_s']:,.0f}/s (**{r['concurrency_ratio']:.2f}x**) | "
            f"{r['folder_per_s']:,.0f}/s (**{r['folder_ratio']:.2f}x**) | "
            f"{r['row_trigger_per_s']:,.0f}/s ({r['row_trigger_ratio']:.2f}x) | "
            f"{r['backlog_most_per_key']:,} / {r['backlog_most_total']:,} |"
        ),
    )
    lines += markdown_table(
        [
            "two follows per transaction, 8 processes",
            "seconds",
            "transactions",
            "deadlocks",
            "exact",
        ],
        "deadlocks",
        lambda name, r: (
            f"| {r['design']} | {r['seconds']:.0f} | {r['transactions']:,} | "
            f"**{r['deadlocks']}** | {'yes' if r['exact'] else 'NO'} |"
        ),
    )
    lines += markdown_table(
        [
            "dedicated folder (0.5 s)",
            "writes",
            "most deltas pending",
            "columns exact after the last write",
        ],
        "lag_s",
        lambda name, r: (
            f"| 8 ORM writers, different users | {r['writes_per_s']:,.0f}/s | "
            f"{r['pending_most_total']:,} rows | **{r['lag_s']:.2f} s** |"
        ),
    )

    def baseline_row(r: dict) -> str:
        if "baseline_busy_vs_idle" not in r:
            return ""
        return (
            f"\n| a plain one-row read (no counter), same window | {r['baseline_idle_ms']:.3f} ms | "
            f"{r['baseline_busy_ms']:.3f} ms | {r['baseline_busy_vs_idle']:.2f}x |"
        )

    if "breakdown" in RESULTS:
        b = RESULTS["breakdown"]
        insert = b["insert_without_counters_us"]
        lines += [
            "",
            f"| one Follow insert, one connection ({b['rounds']} rounds of {b['inserts']}) | "
            "server time per statement | share of an insert without counters |",
            "|---|---|---|",
            f"| the insert without counters (client round trip and commit, wall time) | "
            f"{insert:.0f} µs | 100% |",
            *(
                f"| {label} | {part['median_us']:.1f} µs ({part['min_us']:.1f}-"
                f"{part['max_us']:.1f}) | {part['median_us'] / insert:.0%} |"
                for label, part in b["parts"].items()
            ),
            *(
                f"| the first insert on a new connection: {label} (compiled, planned) | "
                f"{us:,.0f} µs | {us / insert:.0%} |"
                for label, us in b.get("first_statement_us", {}).items()
            ),
        ]
        fresh = b.get("fresh_connection")
        if fresh:
            lines += [
                "",
                f"| the first write on a new connection (`CONN_MAX_AGE = 0`; {fresh['writes']} "
                "single-row inserts each, one per connection) | median wall time per write "
                "(commit included, connect not) | vs triggers off |",
                "|---|---|---|",
                f"| triggers off | {fresh['off_ms']:.2f} ms | 1.00x |",
                f"| **counters** (statement triggers, as installed) | {fresh['counted_ms']:.2f} ms | "
                f"**{fresh['counted_ratio']:.2f}x** |",
                f"| the hand-written row-level trigger | {fresh['row_trigger_ms']:.2f} ms | "
                f"{fresh['row_trigger_ratio']:.2f}x |",
            ]
    iso = RESULTS.get("isolation")
    if iso:
        lines += [
            "",
            "| 8 writers, each transaction a read and a follow | committed | serialization failures |",
            "|---|---|---|",
            *(
                f"| {label} | {r['committed']:,} | **{r['serialization_failures']:,}** "
                f"({r['share']:.1%}) |"
                for label, r in iso.items()
            ),
        ]
    lines += markdown_table(
        ["read under writers", "idle", "8 writers following that user", "ratio"],
        "busy_vs_idle",
        lambda name, r: (
            f"| documented read of one celebrity | {r['idle_ms']:.3f} ms | {r['busy_ms']:.3f} ms | "
            f"**{r['busy_vs_idle']:.2f}x** |" + baseline_row(r)
        ),
    )
    lines += markdown_table(
        ["live counters: commit to event", "clients", "commits", "median", "p99", "max"],
        "median_ms",
        lambda name, r: (
            f"| uvicorn, one process | {r['clients']} | {r['commits']} | "
            f"**{r['median_ms']:.1f} ms** | {r['p99_ms']:.1f} ms | {r['max_ms']:.1f} ms |"
        ),
    )
    lines += markdown_table(
        [
            "recount",
            "follows",
            "users",
            "posts",
            "bare GROUP BY scans",
            "recount (no drift)",
            "check",
            "recount, every stats row drifted",
            "first backfill (no stats rows)",
        ],
        "recount_ratio",
        lambda name, r: (
            f"| {name} | {r['follows']:,} | {r['users']:,} | {r['posts']:,} | {r['bare_scans_s']:.2f} s | "
            f"{r['recount_s']:.2f} s (**{r['recount_ratio']:.2f}x**) | {r['check_s']:.2f} s "
            f"({r['check_ratio']:.2f}x) | {r['recount_all_drifted_s']:.2f} s ({r['drifted_ratio']:.2f}x) | "
            f"{r['first_backfill_s']:.2f} s ({r['first_ratio']:.2f}x) |"
        ),
    )
    return "\n".join(lines)


def write_docs() -> None:
    doc = ROOT / "docs" / "benchmarks.md"
    text = doc.read_text()
    start, end = "<!-- figures:start -->", "<!-- figures:end -->"
    head, rest = text.split(start, 1)
    tail = rest.split(end, 1)[1]
    doc.write_text(f"{head}{start}\n{figures_markdown()}\n{end}{tail}")
