"""The on-disk Whoosh index: schema, generations, the single-writer lock, per-thread searchers.

Layout under SEARCH_INDEX_DIR:
    current        the name of the live generation (replaced atomically on swap)
    gen-*/         Whoosh index generations; a rebuild fills a fresh one, then swaps
    writer.lock    flock held by whoever writes (job consumer, reindex, CLI import)
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import threading
import time
import uuid
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.fields import BOOLEAN, ID, KEYWORD, NUMERIC, STORED, TEXT, Schema
from whoosh.filedb.filestore import FileStorage

from portal.search.whoosh_analysis import chinese_analyzer

SCHEMA_VERSION = "3"  # 2: body and visibility stored for the ranking blocks; 3: manual edition


def make_schema() -> Schema:
    analyzer = chinese_analyzer()
    return Schema(
        key=ID(stored=True, unique=True),
        kind=ID(stored=True, sortable=True),
        category=ID(stored=True, sortable=True),
        visibility=KEYWORD(stored=True, scorable=False),
        external_id=ID(stored=True),
        title=TEXT(analyzer=analyzer, stored=True, field_boost=3.0, phrase=False),
        body=STORED,
        popularity=NUMERIC(int, bits=32, sortable=True, stored=True, signed=False),
        stamp=ID(stored=True),
        edition=ID(stored=True),  # a manual chapter's edition label (2026Q4), else ""
        archived=BOOLEAN(stored=True),  # a chapter of a non-current edition: left out by default
    )


class WriterBusy(RuntimeError):
    pass


class IndexStore:
    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        self._local = threading.local()

    # -- generations -------------------------------------------------------------------------
    @property
    def pointer(self) -> Path:
        return self.path / "current"

    def current_generation(self) -> str | None:
        try:
            name = self.pointer.read_text().strip()
        except FileNotFoundError:
            return None
        return name if name and (self.path / name).is_dir() else None

    def ensure(self):
        """Open the live index, creating an empty one on first use."""
        self.path.mkdir(parents=True, exist_ok=True)
        gen = self.current_generation()
        if gen is None:
            with self.writer_lock():
                gen = self.current_generation()
                if gen is None:
                    gen = self.new_generation()
                    self.swap(gen)
        return whoosh_index.open_dir(str(self.path / gen))

    def new_generation(self) -> str:
        name = f"gen-{time.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:6]}"
        target = self.path / name
        target.mkdir(parents=True)
        whoosh_index.create_in(str(target), make_schema())
        (target / "SCHEMA_VERSION").write_text(SCHEMA_VERSION)
        return name

    def schema_is_current(self) -> bool:
        gen = self.current_generation()
        if gen is None:
            return True
        marker = self.path / gen / "SCHEMA_VERSION"
        return marker.exists() and marker.read_text().strip() == SCHEMA_VERSION

    def open_generation(self, name: str):
        return whoosh_index.open_dir(str(self.path / name))

    def swap(self, name: str) -> None:
        """Point `current` at generation `name`; keep the previous one for open readers."""
        tmp = self.path / f".current-{uuid.uuid4().hex}"
        tmp.write_text(name)
        os.replace(tmp, self.pointer)
        gens = sorted((p for p in self.path.glob("gen-*") if p.is_dir()), key=lambda p: p.stat().st_mtime)
        keep = {name}
        older = [p for p in gens if p.name != name]
        if older:
            keep.add(older[-1].name)
        for p in gens:
            if p.name not in keep:
                shutil.rmtree(p, ignore_errors=True)

    # -- writing -----------------------------------------------------------------------------
    @contextlib.contextmanager
    def writer_lock(self, timeout: float = 60.0):
        """The one-writer rule across threads and processes; re-entrant within a thread."""
        depth = getattr(self._local, "lock_depth", 0)
        if depth:
            self._local.lock_depth = depth + 1
            try:
                yield
            finally:
                self._local.lock_depth = depth
            return
        self.path.mkdir(parents=True, exist_ok=True)
        with open(self.path / "writer.lock", "a+") as fh:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise WriterBusy(f"index writer lock busy for {timeout}s") from None
                    time.sleep(0.05)
            self._local.lock_depth = 1
            try:
                yield
            finally:
                self._local.lock_depth = 0
                fcntl.flock(fh, fcntl.LOCK_UN)

    # -- reading -----------------------------------------------------------------------------
    def state(self) -> tuple[str | None, int]:
        """(live generation, its Whoosh TOC generation): changes on every commit and swap."""
        gen = self.current_generation()
        if gen is None:
            return None, -1
        return gen, whoosh_index.FileIndex(FileStorage(str(self.path / gen))).latest_generation()

    def searcher(self):
        """A searcher for this thread, reopened when the index changed or was swapped."""
        local = self._local
        gen = self.current_generation()
        cached = getattr(local, "searcher", None)
        if cached is not None and getattr(local, "gen", None) == gen and cached.up_to_date():
            return cached
        if cached is not None:
            # Not Searcher.refresh(): Whoosh-Reloaded's refresh fails when the old reader was empty.
            cached.close()
        ix = self.ensure() if gen is None else self.open_generation(gen)
        local.searcher, local.gen = ix.searcher(), self.current_generation()
        return local.searcher


_stores: dict[str, IndexStore] = {}
_stores_lock = threading.Lock()


def store_for(path: str) -> IndexStore:
    """One IndexStore per index directory per process (searchers are cached on it)."""
    with _stores_lock:
        if path not in _stores:
            _stores[path] = IndexStore(path)
        return _stores[path]
