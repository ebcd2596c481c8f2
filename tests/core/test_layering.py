"""The house rules about imports, checked on the source (nothing is imported to check it).

- Features are layered: ``core < accounts < programmes < organisations < pairings <
  scheduling < attendance < feedback < certificates < reports``. A feature's models, services,
  queries and other inner modules import only from features below it (and from ``core``);
  its ``views``, ``cli`` and ``jobs`` modules are entry points and may read any feature, as
  may ``dashboard``, ``public``, ``demo`` and the app factory.
- ``jobs`` sits beside ``core`` and imports no feature.
- No module imports an ``oep`` module inside a function (a hidden edge), except the app
  factory, which is the registry of every feature.
- The modules import each other without a circle (type-checking imports between models
  are not imports at run time and do not count).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "oep"

LAYERS = [
    "core",
    "accounts",
    "programmes",
    "organisations",
    "pairings",
    "scheduling",
    "attendance",
    "feedback",
    "certificates",
    "reports",
]
RANK = {feature: rank for rank, feature in enumerate(LAYERS)}
#: Modules of a feature that are entry points (they may read any feature).
ENTRY_POINTS = {"views", "cli", "jobs"}
#: Packages above every feature: pages that show several features, and the demo loader.
ABOVE_ALL = {"dashboard", "public", "demo"}
#: Modules allowed to import inside functions: the app factory collects the features there.
FACTORY = {"oep"}
#: Known breaks of the layer order, each with the issue that removes it. The test fails when
#: one is gone, so that the list only ever shrinks.
KNOWN_BREAKS = {
    # Notices of absence write attendance rows from scheduling, and the roster is read there:
    # the participation issue (#13) gives attendance one owner.
    ("oep.scheduling.queries", "oep.attendance.models"),
    ("oep.scheduling.services", "oep.attendance.models"),
}


@dataclass(frozen=True)
class Import:
    target: str  # the oep module imported, e.g. "oep.scheduling.models"
    line: int
    in_function: bool
    type_checking: bool


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imports_of(path: Path, known: set[str]) -> list[Import]:
    """Every import of an ``oep`` module in ``path``, resolved to the module (``from oep.x import
    y`` names ``oep.x.y`` when ``y`` is itself a module)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[Import] = []

    def visit(node: ast.AST, in_function: bool, type_checking: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child.test):
                for sub in child.body:
                    visit_one(sub, in_function, True)
                for sub in child.orelse:
                    visit_one(sub, in_function, type_checking)
                continue
            visit_one(child, in_function, type_checking)

    def visit_one(child: ast.AST, in_function: bool, type_checking: bool) -> None:
        if isinstance(child, ast.Import):
            for alias in child.names:
                if alias.name.split(".")[0] == "oep":
                    found.append(Import(alias.name, child.lineno, in_function, type_checking))
        elif isinstance(child, ast.ImportFrom) and child.level == 0 and (child.module or "").split(".")[0] == "oep":
            for alias in child.names:
                candidate = f"{child.module}.{alias.name}"
                target = candidate if candidate in known else child.module
                found.append(Import(target, child.lineno, in_function, type_checking))
        inside = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
        if isinstance(child, ast.If) and _is_type_checking(child.test):
            visit(child, in_function, True)
        else:
            visit(child, inside, type_checking)

    visit(tree, False, False)
    return found


def all_modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


MODULES = all_modules()
IMPORTS = {name: imports_of(path, set(MODULES)) for name, path in MODULES.items()}


def feature_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


def is_entry_point(module: str) -> bool:
    parts = module.split(".")
    return len(parts) > 2 and parts[2] in ENTRY_POINTS


@dataclass(frozen=True)
class Violation:
    module: str
    line: int
    target: str
    reason: str

    def __str__(self) -> str:
        return f"{self.module}:{self.line} imports {self.target}: {self.reason}"


def layering_violations(imports: dict[str, list[Import]]) -> list[Violation]:
    """The imports that break the layer order."""
    problems = []
    for module, found in imports.items():
        feature = feature_of(module)
        for imp in found:
            target = feature_of(imp.target)
            if feature == "jobs":
                if (target in RANK and target != "core") or target in ABOVE_ALL or imp.target == "oep":
                    problems.append(Violation(module, imp.line, imp.target, "jobs imports no feature"))
                continue
            if feature not in RANK or is_entry_point(module) or imp.type_checking:
                continue
            if target in ABOVE_ALL or imp.target == "oep" or target in ("cli", "worker"):
                problems.append(Violation(module, imp.line, imp.target, "it sits above every feature"))
            elif target in RANK and RANK[target] > RANK[feature]:
                problems.append(Violation(module, imp.line, imp.target, f"{feature} sits below {target}"))
    return problems


def hidden_edges(imports: dict[str, list[Import]]) -> list[str]:
    return [
        f"{module}:{imp.line} imports {imp.target} inside a function"
        for module, found in imports.items()
        if module not in FACTORY
        for imp in found
        if imp.in_function
    ]


def circles(imports: dict[str, list[Import]]) -> list[list[str]]:
    """The import circles among modules (run-time imports only), each as a list of modules."""
    graph = {
        module: sorted(
            {imp.target for imp in found if not imp.type_checking and not imp.in_function and imp.target in imports}
        )
        for module, found in imports.items()
    }
    # Imports inside functions are refused elsewhere (hidden edges) except in the app factory,
    # whose imports run only when create_app is called, after every module has loaded.
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def strongconnect(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                strongconnect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1 or v in graph[v]:
                found.append(sorted(component))

    for v in graph:
        if v not in index:
            strongconnect(v)
    return found


def test_features_import_only_from_the_layers_below():
    problems = {str(v) for v in layering_violations(IMPORTS) if (v.module, v.target) not in KNOWN_BREAKS}
    assert sorted(problems) == []


def test_known_breaks_of_the_layer_order_still_exist():
    present = {(v.module, v.target) for v in layering_violations(IMPORTS)}
    assert present >= KNOWN_BREAKS, f"fixed: remove from KNOWN_BREAKS {KNOWN_BREAKS - present}"


def test_no_oep_import_hides_inside_a_function():
    assert hidden_edges(IMPORTS) == []


def test_modules_import_each_other_without_a_circle():
    assert circles(IMPORTS) == []


def test_every_feature_package_has_a_place_in_the_rules():
    features = {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert features <= set(LAYERS) | ABOVE_ALL | {"jobs"}, features - set(LAYERS) - ABOVE_ALL


# --- the checker itself fails on wrong imports -------------------------------------------------


def _imports_from(source: dict[str, str], tmp_path: Path) -> dict[str, list[Import]]:
    names = set(source)
    result = {}
    for name, text in source.items():
        path = tmp_path / (name.replace(".", "_") + ".py")
        path.write_text(text)
        result[name] = imports_of(path, names)
    return result


@pytest.mark.parametrize(
    ("module", "text", "expected"),
    [
        ("oep.programmes.services", "from oep.scheduling.models import ScheduledSession\n", "programmes sits below"),
        ("oep.scheduling.queries", "import oep.attendance.models\n", "scheduling sits below attendance"),
        ("oep.jobs.services", "from oep.certificates import services\n", "jobs imports no feature"),
        ("oep.organisations.models", "from oep.demo.load import load_demo\n", "above every feature"),
    ],
)
def test_a_wrong_import_is_reported(module, text, expected, tmp_path):
    source = {module: text, "oep.scheduling.models": "", "oep.attendance.models": "", "oep.certificates.services": ""}
    problems = [str(v) for v in layering_violations(_imports_from(source, tmp_path))]
    assert any(expected in p for p in problems), problems


def test_allowed_imports_are_not_reported(tmp_path):
    source = {
        "oep.attendance.services": "from oep.scheduling.models import ScheduledSession\n",
        "oep.programmes.views": "from oep.reports import services\n",
        "oep.programmes.models": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
        "    from oep.organisations.models import Enrolment\n",
        "oep.scheduling.models": "",
        "oep.reports.services": "",
        "oep.organisations.models": "",
    }
    assert layering_violations(_imports_from(source, tmp_path)) == []


def test_a_hidden_edge_and_a_circle_are_reported(tmp_path):
    hidden = _imports_from({"oep.a.one": "", "oep.a.two": "def f():\n    from oep.a import one\n"}, tmp_path)
    assert hidden_edges(hidden) == ["oep.a.two:2 imports oep.a.one inside a function"]
    circle = _imports_from(
        {
            "oep.a.one": "from oep.a import two\n",
            "oep.a.two": "import oep.a.three\n",
            "oep.a.three": "import oep.a.one\n",
        },
        tmp_path,
    )
    assert circles(circle) == [["oep.a.one", "oep.a.three", "oep.a.two"]]
