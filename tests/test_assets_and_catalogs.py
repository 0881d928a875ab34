"""Vendored front-end assets and translation catalogs are complete and untampered."""

import hashlib
import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


def test_vendored_htmx_matches_its_recorded_checksum():
    vendor = ROOT / "static" / "vendor" / "htmx"
    recorded = re.search(r"sha256 of htmx.min.js: ([0-9a-f]{64})", (vendor / "VERSION.md").read_text()).group(1)
    assert hashlib.sha256((vendor / "htmx.min.js").read_bytes()).hexdigest() == recorded


def test_vendored_axe_core_matches_its_recorded_checksum():
    vendor = ROOT / "tests" / "browser" / "vendor" / "axe-core"
    recorded = re.search(r"sha256 of axe.min.js: ([0-9a-f]{64})", (vendor / "VERSION.md").read_text()).group(1)
    assert hashlib.sha256((vendor / "axe.min.js").read_bytes()).hexdigest() == recorded


def test_templates_load_no_remote_assets():
    for template in (ROOT / "templates").rglob("*.html"):
        assert not re.search(r'(src|href)="(https?:)?//', template.read_text()), template


@pytest.mark.parametrize("locale", ["zh_Hans_CN", "ja"])
def test_every_message_is_translated_with_the_same_placeholders(locale):
    with (ROOT / "portal/translations/messages.pot").open("rb") as fh:
        template = read_po(fh)
    with (ROOT / f"portal/translations/{locale}/LC_MESSAGES/messages.po").open("rb") as fh:
        catalog = read_po(fh)
    wanted = {m.id if isinstance(m.id, str) else m.id[0] for m in template if m.id}
    have = {}
    for message in catalog:
        if not message.id:
            continue
        key = message.id if isinstance(message.id, str) else message.id[0]
        text = message.string if isinstance(message.string, str) else message.string[0]
        have[key] = text
    missing = sorted(k for k in wanted if not have.get(k))
    assert not missing, f"untranslated in {locale}: {missing[:10]}"
    for key in wanted:
        assert set(PLACEHOLDER.findall(key)) == set(PLACEHOLDER.findall(have[key])), key


def test_the_message_template_holds_every_message_of_the_code(tmp_path):
    """A string added in the code but never extracted would show in English to every reader."""
    fresh = tmp_path / "messages.pot"
    subprocess.run(
        [
            str(Path(sys.executable).parent / "pybabel"),
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            "-k",
            "lazy_pgettext:1c,2",
            "-o",
            str(fresh),
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )

    def ids(path):
        with path.open("rb") as fh:
            return {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(fh) if m.id}

    missing = sorted(ids(fresh) - ids(ROOT / "portal/translations/messages.pot"))
    assert not missing, f"run pybabel extract and update (README, Development): {missing[:10]}"
