"""The Spanish catalogue is complete and correct, and pages requested in Spanish speak Spanish.

The catalogue tests read the committed .po file (no makemessages: that is `make check`'s job, in
scripts/check_catalogue.py). The page tests need the compiled .mo; `make test` compiles it first, and the
fixture below compiles it when it is missing or older than the .po, so a bare `pytest` works too.
"""

from __future__ import annotations

import contextlib
import fcntl
import re
import tempfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test.signals import setting_changed
from scripts.check_catalogue import PO_FILE, catalogue_problems, parse_po

from tests.conftest import client_for

NAMED = re.compile(r"%\((\w+)\)")


def _stale(mo: Path) -> bool:
    return not mo.exists() or mo.stat().st_mtime < PO_FILE.stat().st_mtime


@pytest.fixture(scope="session", autouse=True)
def _compiled_catalogue() -> None:
    mo = PO_FILE.with_suffix(".mo")
    if not _stale(mo):
        return
    # pytest -n runs several workers: one compiles, the others wait and then find the file fresh.
    with (Path(tempfile.gettempdir()) / "civicplan-compilemessages.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if _stale(mo):
            # From the app folder, so compilemessages looks at our locale folder, not at the virtualenv's.
            with contextlib.chdir(Path(settings.LOCALE_PATHS[0]).parent):
                call_command("compilemessages", locale=["es"], verbosity=0)
    # Django caches catalogues per process; make it forget any it loaded before the .mo existed.
    setting_changed.send(sender=None, setting="LOCALE_PATHS", value=settings.LOCALE_PATHS, enter=False)


def _entries():
    return [entry for entry in parse_po(PO_FILE.read_text(encoding="utf-8")) if entry.msgid]


# --- The catalogue -------------------------------------------------------------------------------------------------


def test_the_catalogue_is_the_one_settings_point_to():
    assert PO_FILE.parent.parent.parent == Path(settings.LOCALE_PATHS[0])


def test_every_entry_is_translated_and_none_is_fuzzy():
    entries = _entries()
    assert len(entries) > 300  # the parser read the file, not an empty shell
    assert catalogue_problems(parse_po(PO_FILE.read_text(encoding="utf-8"))) == []
    assert [entry.msgid for entry in entries if entry.fuzzy or not all(entry.msgstr)] == []


def test_the_header_declares_spanish_two_plural_forms_and_utf8():
    header = PO_FILE.read_text(encoding="utf-8").split("\n\n", 1)[0]
    assert '"Language: es\\n"' in header
    assert '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"' in header
    assert "charset=UTF-8" in header
    assert "#, fuzzy" not in header


def test_every_translation_keeps_the_english_placeholders():
    wrong = []
    for entry in _entries():
        if entry.msgid_plural is None:
            if set(NAMED.findall(entry.msgstr[0])) != set(NAMED.findall(entry.msgid)):
                wrong.append((entry.msgid, entry.msgstr[0]))
            continue
        # Plural forms: the "many" form needs the plural's placeholders; the "one" form may spell out "1".
        singular, plural = set(NAMED.findall(entry.msgid)), set(NAMED.findall(entry.msgid_plural))
        one, many = (set(NAMED.findall(text)) for text in entry.msgstr)
        if many != plural or not one <= singular | plural:
            wrong.append((entry.msgid, entry.msgstr))
    assert wrong == []


def test_plural_entries_have_exactly_two_forms():
    assert [e.msgid for e in _entries() if e.msgid_plural is not None and len(e.msgstr) != 2] == []


def test_the_checker_rejects_untranslated_fuzzy_and_misplaced_entries():
    sample = "\n".join(
        [
            'msgid ""',
            'msgstr ""',
            '"Language: es\\n"',
            '"Content-Type: text/plain; charset=UTF-8\\n"',
            '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"',
            "",
            'msgid "Goal"',
            'msgstr ""',
            "",
            "#, fuzzy",
            'msgid "Goals"',
            'msgstr "Metas"',
            "",
            "#, python-format",
            'msgid "Goal %(code)s"',
            'msgstr "Meta %(codigo)s"',
            "",
            "#, python-format",
            'msgid "%(n)s item added"',
            'msgid_plural "%(n)s items added"',
            'msgstr[0] "%(n)s elemento agregado"',
            'msgstr[1] ""',
            "",
            'msgid "Strategy"',
            'msgstr "Estrategia"',
        ]
    )
    problems = "\n".join(catalogue_problems(parse_po(sample)))
    assert "'Goal': not translated" in problems
    assert "'Goals': fuzzy" in problems
    assert "'Goal %(code)s': placeholders" in problems
    assert "'%(n)s item added': not translated" in problems
    assert "Strategy" not in problems


def test_the_checker_accepts_a_complete_catalogue_with_multiline_strings():
    sample = "\n".join(
        [
            'msgid ""',
            'msgstr ""',
            '"Language: es\\n"',
            '"Content-Type: text/plain; charset=UTF-8\\n"',
            '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"',
            "",
            "#, python-format",
            'msgid ""',
            '"Fix this problem in the file and upload it "',
            '"again:"',
            'msgid_plural "Fix these %(n)s problems in the file and upload it again:"',
            'msgstr[0] "Corrija este problema en el archivo y vuelva a subirlo:"',
            'msgstr[1] ""',
            '"Corrija estos %(n)s problemas en el archivo y vuelva a subirlo:"',
        ]
    )
    entries = parse_po(sample)
    assert entries[1].msgid == "Fix this problem in the file and upload it again:"
    assert entries[1].msgstr[1].startswith("Corrija estos %(n)s")
    assert catalogue_problems(entries) == []


# --- Pages in Spanish ----------------------------------------------------------------------------------------------


def test_the_public_home_page_speaks_spanish(client, adopted_plan):
    html = client.get("/es/").content.decode()
    assert '<html lang="es">' in html
    assert "Saltar al contenido principal" in html and "Skip to main content" not in html
    assert "Prioridades estratégicas" in html and "Strategic priorities" not in html
    assert "2 metas" in html  # a plural form: each priority of the small plan has two goals
    assert "Acceso del personal" in html


def test_the_english_home_page_stays_english(client, adopted_plan):
    html = client.get("/en/").content.decode()
    assert "Skip to main content" in html and "Strategic priorities" in html
    assert "Saltar al contenido principal" not in html


def test_the_staff_plan_page_speaks_spanish_to_the_coordinator(client, adopted_plan, coordinator):
    html = client_for(client, coordinator).get(f"/es/staff/plans/{adopted_plan.pk}/").content.decode()
    assert "Árbol del plan" in html and "Plan tree" not in html
    assert "Aprobado" in html  # a model choice (the plan's state), marked with gettext_lazy
    assert "Cerrar sesión" in html


def test_a_missing_page_says_so_in_spanish(client, adopted_plan):
    response = client.get("/es/goals/9.9/")
    assert response.status_code == 404
    assert "Página no encontrada" in response.content.decode()
