"""File storage: attachments, uploads and backups all go through one configured store.

A store is a set of areas ("attachments", "uploads", "backups"), each holding files under names
the store chooses (random, never the user's). The default keeps them on local disk under
STORAGE_DIR (the instance folder); another backend (S3-compatible) implements the same four calls.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Protocol

from flask import current_app


class FileStore(Protocol):
    def put(self, data: bytes) -> str: ...
    def path(self, name: str) -> Path: ...
    def read(self, name: str) -> bytes: ...
    def delete(self, name: str) -> None: ...


class LocalStore:
    """Files in one folder, written atomically (a reader never sees half a file)."""

    def __init__(self, root: Path | str):
        self.root = Path(root)

    def _folder(self) -> Path:
        self.root.mkdir(parents=True, exist_ok=True)
        return self.root

    def put(self, data: bytes) -> str:
        name = secrets.token_hex(16)
        tmp = self._folder() / (name + ".part")
        tmp.write_bytes(data)
        os.replace(tmp, self._folder() / name)
        return name

    def path(self, name: str) -> Path:
        if not name or "/" in name or "\\" in name or name.startswith("."):
            raise ValueError(f"not a stored file name: {name!r}")
        return self._folder() / name

    def read(self, name: str) -> bytes:
        return self.path(name).read_bytes()

    def delete(self, name: str) -> None:
        try:
            self.path(name).unlink()
        except FileNotFoundError:
            pass


def area(name: str) -> FileStore:
    """The configured store of one area."""
    return LocalStore(Path(current_app.config["STORAGE_DIR"]) / name)
