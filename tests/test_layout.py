"""The engine's layout gates (docs/design.md, "Where the code is"): its modules import one another
only downward (no cycle, counting imports inside functions and under ``TYPE_CHECKING``), and each
is small enough to read in one sitting."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "counters"
MAX_LINES = 400


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        if "migrations" in parts:
            continue
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def _imported(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The library modules that ``name`` imports, anywhere in it (a package's ``__init__`` is
    named by the package; the implicit import of a module's parent packages is not counted)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name in modules)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1])
                base = f"{base}.{node.module}" if node.module else base
            for alias in node.names:
                if f"{base}.{alias.name}" in modules:
                    found.add(f"{base}.{alias.name}")
                elif base in modules:
                    found.add(base)
    found.discard(name)
    return found


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imported(name, path, modules) for name, path in modules.items()}


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_the_graph_sees_imports_inside_functions_and_relative_ones():
    graph = _graph()
    assert "counters.core.registry" in graph["counters.apps"]  # imported inside ready()
    assert graph["counters"] >= {"counters.core.declarations", "counters.exceptions"}


def test_no_module_imports_one_that_imports_it_back():
    cycle = _cycle(_graph())
    assert cycle is None, "an import cycle: " + " -> ".join(cycle or [])


def test_the_cycle_finder_finds_a_cycle():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


@pytest.mark.parametrize("name", sorted(_modules()))
def test_each_module_reads_in_one_sitting(name):
    lines = len(_modules()[name].read_text().splitlines())
    assert lines <= MAX_LINES, f"{name} has {lines} lines (at most {MAX_LINES}): split it"


REPEATED_RUN = 6  # this many code lines written twice are one piece of logic that should be shared


def _code_lines(text: str) -> list[tuple[int, str]]:
    """The lines of ``text`` that are code, stripped: no blank lines, comments, docstrings,
    imports, or lines of brackets alone (what every module repeats without sharing logic)."""
    docstrings = set()
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            if isinstance(node.value.value, str):
                docstrings.update(range(node.lineno, (node.end_lineno or node.lineno) + 1))
    found = []
    for number, line in enumerate(text.splitlines(), 1):
        code = line.strip()
        if (
            not code
            or code.startswith(("#", "import ", "from "))
            or number in docstrings
            or not code.strip(")]}(,:")
        ):
            continue
        found.append((number, code))
    return found


def _repeated(texts: dict[str, str]) -> list[tuple[str, str]]:
    """Places (``path:line``) where a run of :data:`REPEATED_RUN` code lines repeats an earlier
    run, each beside the first place it was written."""
    first: dict[tuple[str, ...], tuple[str, int]] = {}
    found = []
    for name, text in texts.items():
        lines = _code_lines(text)
        for i in range(len(lines) - REPEATED_RUN + 1):
            run = tuple(code for _, code in lines[i : i + REPEATED_RUN])
            here = (name, lines[i][0])
            before = first.setdefault(run, here)
            if before[0] != name or here[1] - before[1] >= REPEATED_RUN:
                found.append((f"{before[0]}:{before[1]}", f"{name}:{here[1]}"))
    return found


def test_no_run_of_code_is_written_twice():
    """The CI half of the duplicates gate (the same lines; the same logic under other names is
    found by review and the ``duplicates`` tool)."""
    texts = {
        str(path.relative_to(PACKAGE.parent)): path.read_text() for path in _modules().values()
    }
    assert _repeated(texts) == []


def test_the_repeat_finder_finds_a_run_written_twice_and_ignores_what_is_not_logic():
    body = "\n".join(f"x{i} = f({i})" for i in range(REPEATED_RUN))
    found = _repeated({"a.py": body, "b.py": f'"""doc"""\nimport os\n\n# note\n{body}\n'})
    assert found == [("a.py:1", "b.py:5")]
    assert _repeated({"a.py": body, "b.py": body.replace("x5", "y5")}) == []
