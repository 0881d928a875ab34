"""The checks a machine can make, run by the test command: lint, format, the import contract, types.

Each runs the tool the way `make check` does; a failure prints the tool's own report.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from portal.config import REPO_ROOT

BIN = Path(sys.executable).parent
TREES = ["portal", "tests", "scripts", "bench", "wsgi.py"]


def _run(*cmd: str) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=REPO_ROOT, capture_output=True, text=True, timeout=600)


@pytest.mark.parametrize(
    "cmd",
    [
        pytest.param(["ruff", "check", *TREES], id="ruff-lint"),
        pytest.param(["ruff", "format", "--check", *TREES], id="ruff-format"),
        pytest.param(["lint-imports"], id="import-contract"),
        pytest.param(["mypy"], id="mypy"),
    ],
)
def test_code_check_passes(cmd):
    done = _run(str(BIN / cmd[0]), *cmd[1:])
    assert done.returncode == 0, f"{' '.join(cmd)} failed:\n{done.stdout}\n{done.stderr}"


def test_no_module_of_portal_is_part_of_an_import_circle():
    """Function-local imports count: grimp sees them, and a circle is a circle either way."""
    import grimp

    graph = grimp.build_graph("portal", cache_dir=None)
    circles = []
    for module in sorted(graph.modules):
        for imported in graph.find_modules_directly_imported_by(module):
            if module < imported and graph.find_shortest_chain(importer=imported, imported=module):
                circles.append(f"{module} <-> {imported}")
    assert circles == []


def test_views_never_own_the_transaction():
    """No view commits or rolls back: services own the unit of work."""
    offenders, scanned = [], 0
    for path in sorted((REPO_ROOT / "portal").rglob("*.py")):
        rel = path.relative_to(REPO_ROOT).as_posix()
        if "views" not in path.name and "/views/" not in rel and not rel.startswith("portal/api/"):
            continue
        scanned += 1
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if "db.session.commit(" in line or "db.session.rollback(" in line:
                offenders.append(f"{rel}:{n}: {line.strip()}")
    assert scanned >= 15  # every domain's views and the API were read
    assert offenders == []
