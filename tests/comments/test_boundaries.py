"""The apps' boundaries, read from the source: the articles app knows nothing of comments,
and the screening package is pure (no models, no other app)."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def imported_modules(folder: str) -> dict[str, set[str]]:
    """Each Python file under `folder` -> the modules it imports (absolute, dotted)."""
    found = {}
    for path in sorted((ROOT / folder).rglob("*.py")):
        package = ".".join(path.relative_to(ROOT).parent.parts)
        names = set()
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parent = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                    base = f"{parent}.{base}" if base else parent
                names.add(base)
                names.update(f"{base}.{alias.name}" for alias in node.names)
        found[str(path.relative_to(ROOT))] = names
    return found


def offending(folder: str, *forbidden: str) -> dict[str, list[str]]:
    return {
        path: sorted(n for n in names if any(n == f or n.startswith(f + ".") for f in forbidden))
        for path, names in imported_modules(folder).items()
        if any(n == f or n.startswith(f + ".") for n in names for f in forbidden)
    }


def test_no_module_of_articles_imports_comments():
    assert imported_modules("articles")  # the scan reads the app
    assert offending("articles", "comments") == {}


def test_comments_does_not_import_the_articles_views():
    assert offending("comments", "articles.views") == {}


@pytest.mark.parametrize(
    "forbidden", ["django.db", "django.apps", "articles", "comments.models", "newsletter"]
)
def test_the_screening_package_imports_no_model_and_no_other_app(forbidden):
    assert offending("comments/screening", forbidden) == {}
