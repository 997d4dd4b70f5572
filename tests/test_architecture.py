"""The layer rules of docs/architecture.md, checked by walking every import with `ast`."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src" / "civicplan"
LAYER = {
    "lib": 0,
    "core": 1,
    "accounts": 2,
    "plans": 3,
    "performance": 4,
    "engagement": 4,
    "budget": 4,
    "insights": 5,
    "reports": 6,
    "api": 6,
    "web": 6,
}
SIBLINGS_FORBIDDEN = {"performance", "engagement", "budget"}
PUBLIC_SURFACE = {"selectors", "services", "exporters", "schemas", "urls"}
TOP_LEVEL = {"settings", "urls", "wsgi", "__init__"}
KERNEL = {"lib", "core"}  # shared helpers every layer may use whole


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append(node.module)
            found += [f"{node.module}.{alias.name}" for alias in node.names]
    return [name for name in found if name.startswith("civicplan.")]


def _violations(src: Path = SRC) -> list[str]:
    problems = []
    for path in src.rglob("*.py"):
        relative = path.relative_to(src)
        if relative.parts[0] in TOP_LEVEL or (relative.stem in TOP_LEVEL and len(relative.parts) == 1):
            continue
        module = relative.parts[0]
        if module not in LAYER or "migrations" in relative.parts:
            continue
        for name in _imports(path):
            parts = name.split(".")
            target = parts[1]
            if target == module or target not in LAYER:
                continue
            where = f"{relative}: imports {name}"
            if LAYER[target] > LAYER[module]:
                problems.append(f"{where} (a lower layer may not import a higher one)")
            elif (
                LAYER[target] == LAYER[module]
                and module in SIBLINGS_FORBIDDEN | {"reports", "api", "web"}
                and (module in SIBLINGS_FORBIDDEN)
            ):
                problems.append(f"{where} (sibling modules never import each other)")
            elif module == "lib":
                problems.append(f"{where} (lib is a leaf)")
            elif (
                LAYER[module] == 6
                and target not in KERNEL
                and len(parts) > 2
                and parts[2] not in PUBLIC_SURFACE
            ):
                problems.append(f"{where} (layer 6 uses only selectors, services, exporters, schemas, urls)")
    return problems


def test_imports_follow_the_layer_rules():
    assert not _violations(), "\n".join(_violations())


def test_lib_imports_nothing_from_the_project():
    for path in (SRC / "lib").rglob("*.py"):
        outside = [name for name in _imports(path) if not name.startswith("civicplan.lib")]
        assert not outside, path


def test_the_checker_catches_a_forbidden_import(tmp_path):
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "probe.py").write_text("from civicplan.plans import models\n")
    (tmp_path / "engagement").mkdir()
    (tmp_path / "engagement" / "probe.py").write_text("from civicplan.budget import selectors\n")
    problems = _violations(tmp_path)
    assert any("lib/probe.py" in problem for problem in problems)
    assert any("sibling modules never import each other" in problem for problem in problems)
