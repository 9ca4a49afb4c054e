"""The catalogues as a translator and a user see them: every string the code and templates mark for
translation is in the English catalogue, translated (none empty, none fuzzy), with the placeholders of its
Dutch source, and the compiled ``.mo`` that Django loads says the same as the ``.po``.

The strings are extracted afresh by Django's ``makemessages`` from a copy of the source tree, so a new
``{% translate %}`` without an English line fails here instead of showing Dutch to an English-speaking user.
GNU gettext's own tools judge the files (``msgcmp``, ``msgfmt --check``)."""

import gettext
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SOURCES = (
    "intervisie",
    "accounts",
    "groups",
    "sessions",
    "casussen",
    "reflections",
    "notifications",
    "dashboards",
    "privacy",
    "templates",
)


def _catalogue(language: str) -> Path:
    return ROOT / "locale" / language / "LC_MESSAGES" / "django.po"


def _gettext(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    if not shutil.which(args[0]):
        pytest.fail("needs GNU gettext (apt-get install gettext), as `make run` does")
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True)


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> Path:
    """The strings marked for translation now, extracted by makemessages into a fresh catalogue."""
    tree = tmp_path_factory.mktemp("source")
    for name in SOURCES:
        shutil.copytree(ROOT / name, tree / name, ignore=shutil.ignore_patterns("migrations", "__pycache__"))
    shutil.copy(ROOT / "manage.py", tree / "manage.py")
    (tree / "locale").mkdir()
    env = {**os.environ, "DEBUG": "1", "DJANGO_SETTINGS_MODULE": "intervisie.settings_test"}
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "en", "-v", "0"], cwd=tree, env=env, check=True
    )
    return tree / "locale" / "en" / "LC_MESSAGES" / "django.po"


def test_every_marked_string_has_an_english_translation(extracted):
    # msgcmp lists each msgid of the fresh extraction that locale/en lacks, leaves empty or marks fuzzy.
    result = _gettext("msgcmp", str(_catalogue("en")), str(extracted))
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("language", ["en", "nl"])
def test_catalogues_are_valid_and_keep_their_placeholders(language):
    result = _gettext("msgfmt", "--check", "--check-format", "-o", os.devnull, str(_catalogue(language)))
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("language", ["en", "nl"])
def test_the_compiled_catalogue_matches_its_po_file(language, tmp_path):
    fresh = tmp_path / "fresh.mo"
    assert _gettext("msgfmt", "-o", str(fresh), str(_catalogue(language))).returncode == 0
    with open(fresh, "rb") as new, open(_catalogue(language).with_suffix(".mo"), "rb") as shipped:
        expected, actual = gettext.GNUTranslations(new)._catalog, gettext.GNUTranslations(shipped)._catalog
    stale = sorted(str(key) for key in expected.keys() ^ actual.keys())
    stale += sorted(str(key) for key in expected.keys() & actual.keys() if expected[key] != actual[key])
    assert not stale, f"locale/{language}/LC_MESSAGES/django.mo is older than its .po (compilemessages)"
