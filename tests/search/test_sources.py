"""Search asks the sources other domains register (titles for completion, documents to re-index
after a domain word changes) instead of reading their tables; the index writer is a named job."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from portal.search import completion, documents, queue, tuning
from portal.search.documents import Source, Title

SEARCH = Path(__file__).resolve().parents[2] / "portal" / "search"
OTHER_DOMAINS = ("portal.kb", "portal.tickets", "portal.quiz", "portal.approvals")


def test_no_search_module_imports_another_domain():
    """Function-local imports count: the import contract sees them too."""
    found = []
    for path in sorted(SEARCH.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            found += [f"{path.name}: {n}" for n in names if n.startswith(OTHER_DOMAINS)]
    assert found == []


def _fake(prefix="fake", titles=None, keys=None) -> Source:
    def nothing(*_args):
        return []

    return Source(
        prefix=prefix,
        load=nothing,
        stamps=lambda: iter(()),
        snippets=lambda ids: {},
        readable=lambda ident, viewer: None,
        titles=titles,
        keys_for_words=keys,
    )


@pytest.fixture
def only(monkeypatch):
    """Replace the registered sources by the ones a test gives."""

    def install(*sources):
        monkeypatch.setattr(documents, "_sources", {s.prefix: s for s in sources})

    return install


def test_titles_are_merged_most_popular_first_and_limited(only):
    only(
        _fake("a", titles=lambda limit: [Title("甲", 5, True, "/a/1"), Title("乙", 1, False, "/a/2")][:limit]),
        _fake("b", titles=lambda limit: [Title("丙", 3, True, "/b/1")][:limit]),
        _fake("c"),  # offers no titles
    )
    assert [t.text for t in documents.titles(10)] == ["甲", "丙", "乙"]
    assert [t.text for t in documents.titles(2)] == ["甲", "丙"]


def test_completion_offers_the_titles_of_the_registered_sources(app, only):
    only(_fake("fake", titles=lambda limit: [Title("量子纠缠怎么申请", 9, False, "/fake/7")]))
    completion.invalidate()
    with app.test_request_context():
        internal = completion.suggest("量子", authenticated=True)
        public = completion.suggest("量子", authenticated=False)
    completion.invalidate()
    assert [(e.text, e.kind, e.url) for e in internal] == [("量子纠缠怎么申请", "title", "/fake/7")]
    assert public == []  # not public: only for signed-in readers


def test_a_changed_domain_word_requeues_what_the_sources_name(app, only, monkeypatch):
    asked = []

    def keys(words):
        asked.append(set(words))
        return [3, 4]

    only(_fake("fake", keys=keys), _fake("other"))
    kicked = []
    monkeypatch.setattr(queue, "kick", lambda: kicked.append(True))
    monkeypatch.setattr(tuning, "refusals", lambda *a: {})  # the index is empty: not this test's subject
    with app.app_context():
        assert tuning.save("", "量子纠缠") == (0, 1)
        assert asked == [{"量子纠缠"}] and kicked == [True]
        assert queue.pending() == 2
        tuning.save("口令, 密码", "量子纠缠")  # the words did not change: nothing to re-index
        assert asked == [{"量子纠缠"}] and queue.pending() == 2


def test_kick_enqueues_the_drain_job_by_name_once_per_batch(monkeypatch):
    from portal.core import jobs

    enqueued = []
    monkeypatch.setattr(jobs, "enqueue", lambda name, *a: enqueued.append(name))
    queue.kick()
    assert enqueued == ["search.drain"]
    with queue.batched():
        queue.kick()
        with queue.batched():
            queue.kick()
        assert enqueued == ["search.drain"]  # held until the outermost batch ends
    assert enqueued == ["search.drain", "search.drain"]


def test_the_drain_job_is_declared_under_its_name(app):
    from portal.core import jobs

    assert queue.DRAIN_JOB in jobs._named
