"""The one-line summary every security suite prints (visible with `pytest -s`) and keeps in
test-artifacts/security/<suite>.json, so a closing note can quote the counts."""

from __future__ import annotations

import json
from pathlib import Path

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "security"


def report(suite: str, line: str, **counts) -> None:
    print(f"\n{suite}: {line}")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"{suite}.json").write_text(
        json.dumps({"summary": line, **counts}, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
