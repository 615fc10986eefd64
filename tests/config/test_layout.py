"""The project's layout keeps its promises: one name, one thing; modules of one job.

Read from the source with `ast`, so nothing is imported or run.
"""

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = (
    "config",
    "teams",
    "milestones",
    "reviews",
    "dashboard",
    "sheets",
    "nudges",
    "demo",
    "sheets_emulator",
    "api",
)
# Names Django itself asks every app for.
CONVENTIONS = {"Command", "Migration"}
MOST_LINES = 500


def _modules() -> list[Path]:
    return [
        path
        for app in APPS
        for path in sorted((ROOT / app).rglob("*.py"))
        if "migrations" not in path.parts
    ]


def test_every_public_class_and_function_has_a_name_of_its_own():
    """grep finds one `SyncPlan`, one `claim_lock`: a name never means two things."""
    where: dict[str, list[str]] = defaultdict(list)
    for path in _modules():
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            named = isinstance(node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
            if named and not node.name.startswith("_") and node.name not in CONVENTIONS:
                where[node.name].append(str(path.relative_to(ROOT)))

    assert {name: paths for name, paths in where.items() if len(paths) > 1} == {}


def test_a_module_over_500_lines_says_why_in_its_docstring():
    """Long modules are several jobs in one file, unless the docstring gives the reason."""
    unexplained = []
    for path in _modules():
        text = path.read_text(encoding="utf-8")
        if len(text.splitlines()) <= MOST_LINES:
            continue
        docstring = ast.get_docstring(ast.parse(text)) or ""
        if "Length:" not in docstring:
            unexplained.append(f"{path.relative_to(ROOT)}: {len(text.splitlines())} lines")

    assert unexplained == []
