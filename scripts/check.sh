#!/usr/bin/env bash
# The quick checks while iterating (`make check`): lint, format, the import contract, types, and the
# unit tests of the pure rules. The full suite (`make test`) runs these same checks as tests.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
TREES=(portal tests scripts bench wsgi.py)
echo "ruff check";         "$BIN/ruff" check "${TREES[@]}"
echo "ruff format";        "$BIN/ruff" format --check --quiet "${TREES[@]}"
echo "import contract";    "$BIN/lint-imports" --no-cache
echo "mypy";               "$BIN/mypy"
echo "unit tests of the rules"
"$BIN/python" -m pytest -q -p no:cacheprovider tests/core tests/test_code_checks.py::test_no_module_of_portal_is_part_of_an_import_circle \
  $(ls tests/*/test_rules.py tests/*/test_flow.py tests/*/test_routing.py tests/*/test_sla.py tests/*/test_states.py \
       tests/*/test_assignment.py tests/*/test_ranker.py tests/*/test_semantic.py 2>/dev/null) "$@"
