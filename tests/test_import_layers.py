"""The layers hold: each Django app imports only apps below it, there is no import cycle between
apps or between engine modules, and the engine imports neither Django nor the web app.

Read from the source with `ast`, not by importing, so it needs no Django and sees every import:
those inside functions and under `if TYPE_CHECKING:` count too (a lazy import is still a
dependency, and a cycle is a cycle).

Units: each Django app (`caseload.<app>`, a package under caseload/, all its modules together);
caseload's top-level modules (settings, urls, cli, ...) are the project shell that wires the apps
together, and are left out. In the engine, every module is a unit of its own, a package's
`__init__` and each of its modules separately. `from package import name` depends on the module
`package.name` when there is one, else on the package; the import of a module's parent packages
that Python does on the way is not counted, or every package re-exporting its modules would be a
cycle.
"""

from __future__ import annotations

import ast
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APPS_PACKAGE = "caseload"
ENGINE_PACKAGE = "caseload_engine"
# The apps from the bottom up: an app imports only those before it. An app not listed sits above
# them all (list it to order it among the others).
LAYERS = [
    "ui",
    "accounts",
    "security",
    "web",
    "audit",
    "jobs",
    "register",
    "notifications",
    "complexity",
    "workload",
    "allocation",
    "asye",
    "supervision",
    "decisions",
    "resource",
    "demand",
    "healthcheck",
    "planning",
    "safeguarding",
    "sacreport",
    "audits",
    "learning",
    "annualreport",
]


@dataclass(frozen=True)
class Import:
    importer: str  # module name
    imported: str  # module name, resolved to a module of the project where it is one
    where: str  # path:line


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_modules(package: str) -> dict[str, Path]:
    return {module_name(path): path for path in sorted((ROOT / package).rglob("*.py"))}


def imports_of(path: Path, known: Iterable[str]) -> list[Import]:
    """Every import in the file, wherever it stands, resolved against the known modules."""
    modules = set(known)
    importer = module_name(path)
    package = importer if path.name == "__init__.py" else importer.rpartition(".")[0]
    found: list[Import] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, *([node.module] if node.module else [])])
            targets = [
                f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base
                for alias in node.names
            ]
        else:
            continue
        where = f"{path.relative_to(ROOT)}:{node.lineno}"
        found.extend(Import(importer, _innermost(t, modules), where) for t in targets)
    return found


def _innermost(name: str, modules: set[str]) -> str:
    """The longest leading part of a dotted name that is a known module, else the name."""
    parts = name.split(".")
    for end in range(len(parts), 0, -1):
        if ".".join(parts[:end]) in modules:
            return ".".join(parts[:end])
    return name


Graph = dict[str, dict[str, str]]  # unit -> unit it imports -> where, for the first such import


def unit_graph(package: str, unit_of: Callable[[str], str | None]) -> Graph:
    modules = project_modules(package)
    graph: Graph = {}
    for path in modules.values():
        for each in imports_of(path, modules):
            source, target = unit_of(each.importer), unit_of(each.imported)
            if source is not None and target is not None and source != target:
                graph.setdefault(source, {}).setdefault(
                    target, f"{each.where} imports {each.imported}"
                )
    return graph


def app_of(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != APPS_PACKAGE or len(parts) < 2:
        return None
    app = ROOT / APPS_PACKAGE / parts[1]
    return f"{APPS_PACKAGE}.{parts[1]}" if (app / "__init__.py").exists() else None


def engine_module(module: str) -> str | None:
    return module if module.split(".")[0] == ENGINE_PACKAGE else None


def cycles(graph: Mapping[str, Mapping[str, str]]) -> list[list[str]]:
    """One shortest cycle per strongly connected group of units, each from its first unit in
    sorted order back to it; none when the graph is acyclic."""
    found = []
    seen: set[str] = set()
    for start in sorted(graph):
        if start in seen:
            continue
        path = _shortest_path_back(graph, start)
        if path is not None:
            found.append(path)
            seen.update(_reaching_back(graph, start))
    return found


def _shortest_path_back(graph: Mapping[str, Mapping[str, str]], start: str) -> list[str] | None:
    came_from: dict[str, str] = {}
    queue = deque([start])
    while queue:
        unit = queue.popleft()
        for target in sorted(graph.get(unit, {})):
            if target == start:
                path = [unit]
                while path[-1] != start:
                    path.append(came_from[path[-1]])
                return [*reversed(path), start]
            if target not in came_from:
                came_from[target] = unit
                queue.append(target)
    return None


def _reachable(graph: Mapping[str, Mapping[str, str]], start: str) -> set[str]:
    reached = {start}
    queue = deque([start])
    while queue:
        for target in graph.get(queue.popleft(), {}):
            if target not in reached:
                reached.add(target)
                queue.append(target)
    return reached


def _reaching_back(graph: Mapping[str, Mapping[str, str]], start: str) -> set[str]:
    """The units on some cycle through start: reachable from it, and reaching it."""
    return {unit for unit in _reachable(graph, start) if start in _reachable(graph, unit)}


def describe(graph: Mapping[str, Mapping[str, str]], found: list[list[str]]) -> str:
    lines = []
    for cycle in found:
        lines.append("import cycle: " + " -> ".join(cycle))
        lines.extend(
            f"  {source} -> {target}: {graph[source][target]}" for source, target in pairwise(cycle)
        )
        tangled = sorted(_reaching_back(graph, cycle[0]))
        if len(tangled) > len(cycle) - 1:
            lines.append(f"  tangled with it: {', '.join(tangled)}")
    return "\n".join(lines)


def test_the_django_apps_import_one_another_without_cycles() -> None:
    graph = unit_graph(APPS_PACKAGE, app_of)
    assert graph, "the apps import one another somewhere"
    found = cycles(graph)
    assert not found, describe(graph, found)


def _rank(app: str) -> int:
    name = app.removeprefix(f"{APPS_PACKAGE}.")
    return LAYERS.index(name) if name in LAYERS else len(LAYERS)


def test_each_app_imports_only_lower_layers() -> None:
    graph = unit_graph(APPS_PACKAGE, app_of)
    upward = [
        f"{app} imports {other}: {where}"
        for app, imported in sorted(graph.items())
        for other, where in sorted(imported.items())
        if _rank(other) > _rank(app)
    ]
    assert not upward, "\n".join(upward)


def test_the_engine_modules_import_one_another_without_cycles() -> None:
    graph = unit_graph(ENGINE_PACKAGE, engine_module)
    # The collector sees imports inside functions and under TYPE_CHECKING (else this test could
    # pass by missing them): `optimal` imports the solver only in both.
    modules = project_modules(ENGINE_PACKAGE)
    solver = "caseload_engine.allocation.solver"
    optimal = modules["caseload_engine.allocation.optimal"]
    assert len({each.where for each in imports_of(optimal, modules) if each.imported == solver}) > 1
    assert solver in graph["caseload_engine.allocation.optimal"]
    found = cycles(graph)
    assert not found, describe(graph, found)


def test_the_engine_imports_neither_django_nor_the_web_app() -> None:
    modules = project_modules(ENGINE_PACKAGE)
    assert modules
    forbidden = [
        f"{each.where} imports {each.imported}"
        for path in modules.values()
        for each in imports_of(path, modules)
        if _is_django_or_the_web_app(each.imported)
    ]
    assert not forbidden, "\n".join(forbidden)


def _is_django_or_the_web_app(module: str) -> bool:
    top = module.split(".")[0]
    return top in ("django", APPS_PACKAGE) or top.startswith("django_")  # and Django's add-ons


def test_a_cycle_is_found_and_named_from_its_first_unit() -> None:
    graph = {
        "c": {"a": "c.py:1"},
        "a": {"b": "a.py:3"},
        "b": {"c": "b.py:2", "d": "b.py:4"},
        "d": {"b": "d.py:5"},
        "e": {"a": "e.py:1"},
    }
    assert cycles(graph) == [["a", "b", "c", "a"]]
    assert describe(graph, cycles(graph)).splitlines() == [
        "import cycle: a -> b -> c -> a",
        "  a -> b: a.py:3",
        "  b -> c: b.py:2",
        "  c -> a: c.py:1",
        "  tangled with it: a, b, c, d",
    ]
    assert cycles({"a": {"b": ""}, "b": {"c": ""}}) == []
