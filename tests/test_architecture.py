"""The shape DESIGN.md draws, checked on the source: who calls the service, who imports whom.

import-linter (CI's static checks) holds the layers; these hold what it cannot say: the
faces never call a method of the API client, each action on the service is carried out by
exactly one core module, and no module imports another that imports it back, however
indirectly (an import inside a function or under TYPE_CHECKING counts too).
"""

from __future__ import annotations

import ast
import inspect
from collections.abc import Iterator
from pathlib import Path

import pytest

from vmrtray.api import Client

PACKAGE = Path(__file__).resolve().parents[1] / "vmrtray"

#: The client's calls to the service (everything public but its own lifecycle).
SERVICE_CALLS = frozenset(
    name
    for name, member in inspect.getmembers(Client, inspect.iscoroutinefunction)
    if not name.startswith("_") and name != "aclose"
)
#: The calls that change something in the service.
ACTIONS = (
    "open_record",
    "close_record",
    "open_live",
    "close_live",
    "delete_record_file",
    "create_meeting",
    "cancel_meeting",
)


def _modules(under: Path = PACKAGE) -> Iterator[tuple[str, Path]]:
    """Each module under a folder (or the one module `under`.py): its dotted name and its file."""
    files = sorted(under.rglob("*.py")) if under.is_dir() else [under.with_suffix(".py")]
    for path in files:
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        yield ".".join(parts[:-1] if parts[-1] == "__init__" else parts), path


def _calls(path: Path) -> Iterator[tuple[str, int]]:
    """Each `<anything>.<service call>(…)` in the file, with its line."""
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in SERVICE_CALLS:
            yield node.func.attr, node.lineno


def test_the_client_has_the_calls_this_test_looks_for() -> None:
    assert set(ACTIONS) <= SERVICE_CALLS
    assert {"get_rooms", "get_records", "get_meeting_info"} <= SERVICE_CALLS


@pytest.mark.parametrize("face", ["ui", "cli"])
def test_the_faces_never_call_the_service_themselves(face: str) -> None:
    found = [
        f"{path.relative_to(PACKAGE.parent)}:{line} calls {name}"
        for _, path in _modules(PACKAGE / face)
        for name, line in _calls(path)
    ]
    assert found == [], "the faces go through core:\n" + "\n".join(found)


def test_each_action_on_the_service_is_carried_out_by_one_core_module() -> None:
    callers: dict[str, set[str]] = {action: set() for action in ACTIONS}
    for module, path in _modules():
        if module.startswith(("vmrtray.api", "vmrtray.sim")):  # the client itself; the service's own rules
            continue
        for name, _ in _calls(path):
            if name in callers:
                callers[name].add(module)
    for action, modules in callers.items():
        assert len(modules) == 1, f"{action} is called from {sorted(modules) or 'nowhere'}"
        assert next(iter(modules)).startswith("vmrtray.core."), f"{action} is called from {modules}"


def _imports(module: str, path: Path) -> set[str]:
    """The vmrtray modules `module` imports, anywhere in the file."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return {name for name in found if name.startswith("vmrtray")}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for successor in graph[node]:
            if successor not in index:
                visit(successor)
                low[node] = min(low[node], low[successor])
            elif successor in on_stack:
                low[node] = min(low[node], index[successor])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_module_imports_another_that_imports_it_back() -> None:
    modules = dict(_modules())
    graph: dict[str, set[str]] = {}
    for module, path in modules.items():
        # A package's own __init__ is where its modules are gathered; importing a module of
        # a package imports the package too, but not the other way round: only edges to
        # real modules count.
        graph[module] = {name for name in _imports(module, path) if name in modules and name != module}
    for module in graph:  # `from pkg import mod` names the package; the module is what is used
        graph[module] -= {m for m in graph[module] if modules[m].name == "__init__.py" and module.startswith(m + ".")}
    assert _cycles(graph) == []
