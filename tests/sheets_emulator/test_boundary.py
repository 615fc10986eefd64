"""The product never imports the Sheets emulator: a test double and dev tool that only tests,
bench/, demo/ and the emulator's own command may import."""

import ast
from pathlib import Path

import pytest
from django.conf import settings as django_settings

PRODUCT_APPS = ("config", "teams", "milestones", "reviews", "dashboard", "sheets", "nudges")


def imported_modules(path: Path) -> list[tuple[int, str]]:
    """(line, module) of every absolute import in a Python file; a relative import stays in
    its own package."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
    return found


def imports_of_the_emulator(folder: Path) -> list[str]:
    return [
        f"{path.relative_to(django_settings.BASE_DIR)}:{line} imports {module}"
        for path in sorted(folder.rglob("*.py"))
        for line, module in imported_modules(path)
        if module == "sheets_emulator" or module.startswith("sheets_emulator.")
    ]


@pytest.mark.parametrize("app", PRODUCT_APPS)
def test_no_module_of_the_product_imports_the_emulator(app):
    folder = Path(django_settings.BASE_DIR) / app
    assert any(folder.rglob("*.py")), f"{app}/ has no Python files: is it still an app?"

    assert imports_of_the_emulator(folder) == []


def test_the_check_sees_imports_of_the_emulator_where_they_are_allowed():
    found = imports_of_the_emulator(Path(django_settings.BASE_DIR) / "sheets_emulator")

    command = "sheets_emulator/management/commands/sheets_emulator.py"
    assert any(
        entry.startswith(f"{command}:") and entry.endswith(" imports sheets_emulator.server")
        for entry in found
    )
