"""The layout rules of STYLE.md, checked over the source (as Zulip's custom checks do).

- Services write: pages, API handlers, selectors, forms, template tags and admin classes
  never save, create, update or delete rows, nor write audit entries themselves.
- Selectors (and access) read: page and API modules ask them, never `Model.objects`.
- No import cycle inside an app, counting imports inside functions too (they only hide
  a cycle from Python, not from the next engineer).
- No module over 700 lines except models and migrations: split by aggregate.

A rule broken on purpose goes on the allow-list beside it, with its reason.
"""

import ast
import functools
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = SRC / "jiceng"
MAX_LINES = 700

# Module roles by file name (a package of that name counts for every module in it).
WRITE_FREE = (
    "views",
    "form_views",
    "setup_views",
    "api",
    "selectors",
    "forms",
    "setup_forms",
    "templatetags",
    "admin",
    "context_processors",
    "password_views",
    "chart_views",
    "charts",
)
READ_THROUGH_SELECTORS = (
    "views",
    "form_views",
    "setup_views",
    "api",
    "password_views",
    "chart_views",
    "charts",
)
ROW_WRITES = {
    "save",
    "delete",
    "create",
    "update",
    "bulk_create",
    "bulk_update",
    "get_or_create",
    "update_or_create",
}
AUDIT_WRITERS = {"audit_record", "audit_create", "audit_update", "audit_delete"}


@functools.cache
def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"))


def _modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(SRC)
        if "migrations" in rel.parts or "management" in rel.parts:
            continue
        yield path, rel


def _roles(rel: Path) -> set[str]:
    names = {rel.stem, *rel.parts[2:-1]} if len(rel.parts) > 2 else {rel.stem}
    return names


def _chain_text(node: ast.AST) -> str:
    try:
        return ast.unparse(node)
    except Exception:  # pragma: no cover - unparse handles every expression node
        return ""


def _is_row_write(call: ast.Call) -> bool:
    """`x.save()`, `x.delete()`, and create/update/bulk_* on a manager or queryset (a
    receiver that mentions `.objects`, a related manager `_set` or a queryset method);
    `dict.update` and friends are not row writes."""
    func = call.func
    if not isinstance(func, ast.Attribute) or func.attr not in ROW_WRITES:
        return False
    if func.attr in {"save", "delete"}:
        receiver = _chain_text(func.value)
        # A form's save() on a non-model form or a session's delete are not rows; the
        # project's forms never save models (services do), so any save() is suspect.
        return not receiver.startswith(("request.session", "self.request.session", "cache"))
    receiver = _chain_text(func.value)
    return any(m in receiver for m in (".objects", "_set", ".filter(", ".exclude(", ".all("))


def _violations_writes() -> list[str]:
    found = []
    for path, rel in _modules():
        if not _roles(rel) & set(WRITE_FREE):
            continue
        for node in ast.walk(_tree(path)):
            if not isinstance(node, ast.Call):
                continue
            if _is_row_write(node):
                found.append(f"{rel}:{node.lineno} {_chain_text(node.func)}()")
            name = (
                node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            )
            if name in AUDIT_WRITERS or name == "AuditEntry":
                found.append(f"{rel}:{node.lineno} {name}()")
    return found


def _violations_reads() -> list[str]:
    found = []
    for path, rel in _modules():
        if not _roles(rel) & set(READ_THROUGH_SELECTORS):
            continue
        for node in ast.walk(_tree(path)):
            if isinstance(node, ast.Attribute) and node.attr == "objects":
                found.append(f"{rel}:{node.lineno} {_chain_text(node)}")
    return found


def _app_imports(path: Path, app: str) -> set[str]:
    """Modules of the same app that `path` imports, anywhere in the file."""
    tree = _tree(path)
    prefix = f"jiceng.{app}."
    targets = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.startswith(prefix) or node.module == f"jiceng.{app}":
                if node.module == f"jiceng.{app}":
                    targets.update(f"{prefix}{alias.name}" for alias in node.names)
                else:
                    targets.add(node.module)
                    targets.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            targets.update(a.name for a in node.names if a.name.startswith(prefix))
    return targets


def _cycles() -> list[str]:
    found = []
    for app_dir in sorted(p for p in PACKAGE.iterdir() if (p / "apps.py").exists()):
        app = app_dir.name
        modules: dict[str, Path] = {}
        for path in app_dir.rglob("*.py"):
            rel = path.relative_to(SRC)
            if "migrations" in rel.parts or "management" in rel.parts or "tests" in rel.parts:
                continue
            name = ".".join(rel.with_suffix("").parts)
            # A package's modules import through it; its __init__ re-exports are edges
            # from the package, so treat `pkg.__init__` as `pkg`.
            modules[name.removesuffix(".__init__")] = path
        graph = {
            name: {t for t in _app_imports(path, app) if t in modules and t != name}
            for name, path in modules.items()
        }
        # An __init__ that re-exports its package's modules would make every module of
        # the package import its package: ignore edges from a module to its own package.
        for name, targets in graph.items():
            graph[name] = {t for t in targets if not name.startswith(f"{t}.")}
        found.extend(_find_cycles(graph))
    return found


def _find_cycles(graph: dict[str, set[str]]) -> list[str]:
    cycles, state, stack = [], {}, []

    def visit(node):
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycle = [*stack[stack.index(nxt) :], nxt]
                cycles.append(" → ".join(cycle))
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    return cycles


def _long_modules() -> list[str]:
    found = []
    for path, rel in _modules():
        if rel.name == "models.py" or "models" in rel.parts[2:-1]:
            continue
        lines = path.read_text(encoding="utf-8").count("\n")
        if lines > MAX_LINES:
            found.append(f"{rel}: {lines} lines")
    return found


# What is still being moved this round (issue 13), by module, with the reason. The
# tests fail on anything new, and on an entry here that no longer applies, so the lists
# only shrink.
ALLOWED: dict[str, dict[str, str]] = {
    "writes": {},
    "reads": {},
    "cycles": {},
    "long": {},
}


def _check(rule: str, found: list[str]) -> None:
    allowed = ALLOWED[rule]
    key = (
        (lambda item: item.split(" → ")[0])
        if rule == "cycles"
        else (lambda item: item.split(":")[0])
    )
    new = [item for item in found if key(item) not in allowed]
    stale = sorted(set(allowed) - {key(item) for item in found})
    assert new == [], f"{rule}: new violations"
    assert stale == [], f"{rule}: allowed but no longer needed, remove from ALLOWED"


def test_only_services_write():
    _check("writes", _violations_writes())


def test_pages_and_api_read_through_selectors():
    _check("reads", _violations_reads())


def test_no_import_cycle_inside_an_app():
    _check("cycles", _cycles())


def test_no_module_is_too_long():
    _check("long", _long_modules())


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("def v(request):\n    Appeal.objects.filter(pk=1).update(state='x')\n", True),
        ("def v(request):\n    appeal.save()\n", True),
        ("def v(request):\n    context.update(extra)\n", False),
    ],
)
def test_the_write_rule_sees_what_it_should(source, expected):
    calls = [n for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Call)]
    assert any(_is_row_write(c) for c in calls) is expected


def test_the_cycle_rule_sees_a_cycle():
    graph = {"a.x": {"a.y"}, "a.y": {"a.z"}, "a.z": {"a.x"}, "a.w": set()}
    assert _find_cycles(graph) == ["a.x → a.y → a.z → a.x"]
