"""Fail when the Spanish catalogue is incomplete: `make check` runs this, and so does CI.

It refreshes src/civicplan/locale/es/LC_MESSAGES/django.po from the templates and Python files (the same
`makemessages` a developer runs), then fails, naming each entry, if any string is untranslated, fuzzy or has
placeholders that differ from the English. A developer who added strings sees them appear, untranslated, in
the .po file, ready to translate; `make messages` then compiles it.

The parsing is a few lines of stdlib code rather than a dependency (polib): the catalogue is ours and simple.
"""

from __future__ import annotations

import ast
import contextlib
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
APP_DIR = PROJECT_DIR / "src" / "civicplan"
PO_FILE = APP_DIR / "locale" / "es" / "LC_MESSAGES" / "django.po"
PLURAL_FORMS = "nplurals=2; plural=(n != 1);"

# %(name)s, %(value)r, %s, %d ... and the escaped percent sign %%, as Python's %-formatting reads them.
PLACEHOLDER = re.compile(
    r"%(?:\((?P<name>[^)]*)\))?[#0 +-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?(?P<type>[diouxXeEfFgGcrsa%])"
)
HEADER_DATE = re.compile(r'^"POT-Creation-Date: .*\\n"$', re.MULTILINE)


@dataclass
class Entry:
    msgid: str
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: list[str] = field(default_factory=list)  # one string, or one per plural form
    flags: set[str] = field(default_factory=set)
    line: int = 0

    @property
    def fuzzy(self) -> bool:
        return "fuzzy" in self.flags

    @property
    def label(self) -> str:
        text = self.msgid if self.msgctxt is None else f"{self.msgid} [context: {self.msgctxt}]"
        return f"line {self.line}: {text!r}"


def parse_po(text: str) -> list[Entry]:
    """Every entry of a .po file, the header (msgid "") included; obsolete (#~) entries are skipped."""
    entries: list[Entry] = []
    current: Entry | None = None
    flags: set[str] = set()
    target: tuple[str, int] | None = None  # which field continuation lines ("...") extend
    start = 0

    def finish() -> None:
        nonlocal current
        if current is not None:
            entries.append(current)
        current = None

    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#~"):
            continue
        if line.startswith("#"):
            if current is not None and target is not None and target[0].startswith("msgstr"):
                finish()
                target = None
            if line.startswith("#,"):
                flags |= {flag.strip() for flag in line[2:].split(",") if flag.strip()}
            continue
        keyword, _, rest = line.partition(" ")
        if keyword.startswith('"'):
            if current is None or target is None:
                raise ValueError(f"line {number}: a string continues nothing")
            _append(current, target, _unquote(line, number))
            continue
        value = _unquote(rest.strip(), number)
        if keyword in {"msgctxt", "msgid"} and (
            current is None or (target and target[0].startswith("msgstr"))
        ):
            finish()
            current, flags, start = Entry(msgid="", flags=flags, line=number), set(), number
        if current is None:
            raise ValueError(f"line {number}: {keyword} before msgid")
        current.line = start
        if keyword == "msgctxt":
            current.msgctxt, target = value, ("msgctxt", 0)
        elif keyword == "msgid":
            current.msgid, target = value, ("msgid", 0)
        elif keyword == "msgid_plural":
            current.msgid_plural, target = value, ("msgid_plural", 0)
        elif keyword == "msgstr" or re.fullmatch(r"msgstr\[\d+\]", keyword):
            index = int(keyword[7:-1]) if "[" in keyword else 0
            while len(current.msgstr) <= index:
                current.msgstr.append("")
            current.msgstr[index], target = value, ("msgstr", index)
        else:
            raise ValueError(f"line {number}: unknown keyword {keyword!r}")
    finish()
    return entries


def _unquote(token: str, number: int) -> str:
    if not (len(token) >= 2 and token[0] == token[-1] == '"'):
        raise ValueError(f"line {number}: expected a quoted string, got {token!r}")
    value = ast.literal_eval(token)  # .po strings use C escapes, which Python string literals share
    if not isinstance(value, str):
        raise ValueError(f"line {number}: not a string")
    return value


def _append(entry: Entry, target: tuple[str, int], text: str) -> None:
    name, index = target
    if name == "msgstr":
        entry.msgstr[index] += text
    else:
        setattr(entry, name, (getattr(entry, name) or "") + text)


def header_fields(entries: list[Entry]) -> dict[str, str]:
    header = next((e for e in entries if e.msgid == "" and e.msgctxt is None), None)
    if header is None or not header.msgstr:
        return {}
    pairs = (line.partition(":") for line in header.msgstr[0].splitlines() if ":" in line)
    return {key.strip(): value.strip() for key, _, value in pairs}


def placeholders(text: str, *, named_only: bool = False) -> list[str]:
    """The %-format directives of a string, sorted, without the escaped percent sign (%%).

    With `named_only`, just the %(name)s kind: a string xgettext did not flag python-format is never
    %-interpolated, so a "%" in it is plain text, but a %(name)s there is still a mistake.
    """
    return sorted(
        match.group(0)
        for match in PLACEHOLDER.finditer(text)
        if match.group("type") != "%" and (match.group("name") is not None or not named_only)
    )


def placeholder_problems(entry: Entry) -> list[str]:
    """A translation must use the same placeholders as the English (a plural's singular may drop the count)."""
    named_only = "python-format" not in entry.flags
    if entry.msgid_plural is None:
        expected = placeholders(entry.msgid, named_only=named_only)
        got = placeholders(entry.msgstr[0] if entry.msgstr else "", named_only=named_only)
        return [] if expected == got else [f"placeholders {got} instead of {expected}"]
    problems = []
    singular = set(placeholders(entry.msgid, named_only=named_only))
    plural = set(placeholders(entry.msgid_plural, named_only=named_only))
    for index, text in enumerate(entry.msgstr):
        got = set(placeholders(text, named_only=named_only))
        allowed = singular | plural
        needed = plural if index > 0 else singular
        if not needed <= got or not got <= allowed:
            problems.append(f"msgstr[{index}] has placeholders {sorted(got)}, expected {sorted(needed)}")
    return problems


def catalogue_problems(entries: list[Entry]) -> list[str]:
    """Every reason the catalogue is not ready to ship, one line each, naming the entry."""
    problems = []
    header = header_fields(entries)
    if header.get("Language") != "es":
        problems.append(f"header: Language is {header.get('Language')!r}, not 'es'")
    if header.get("Plural-Forms") != PLURAL_FORMS:
        problems.append(f"header: Plural-Forms is {header.get('Plural-Forms')!r}, not {PLURAL_FORMS!r}")
    if "charset=UTF-8" not in header.get("Content-Type", ""):
        problems.append("header: Content-Type must declare charset=UTF-8")
    for entry in entries:
        if entry.msgid == "" and entry.msgctxt is None:
            if entry.fuzzy:
                problems.append(
                    "header: marked fuzzy (gettext would ignore the whole catalogue's plural rules)"
                )
            continue
        forms = 2 if entry.msgid_plural is not None else 1
        if entry.fuzzy:
            problems.append(f"{entry.label}: fuzzy (check the translation, then remove the fuzzy flag)")
        elif len(entry.msgstr) != forms or any(not text for text in entry.msgstr):
            problems.append(f"{entry.label}: not translated")
        else:
            problems += [f"{entry.label}: {problem}" for problem in placeholder_problems(entry)]
    return problems


def refresh_catalogue() -> None:
    """Run makemessages exactly as a developer does (from src/civicplan, so its locale folder is used).

    makemessages rewrites the POT-Creation-Date header on every run; when that is all that changed, the file is
    put back as it was, so running the check leaves no noise in `git status`.
    """
    sys.path.insert(0, str(PROJECT_DIR / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicplan.settings")
    os.environ.setdefault("DEBUG", "true")  # settings refuse to start without a SECRET_KEY otherwise
    import django
    from django.core.management import call_command

    django.setup()
    before = PO_FILE.read_text(encoding="utf-8") if PO_FILE.exists() else None
    with contextlib.chdir(APP_DIR):
        call_command(
            "makemessages",
            locale=["es"],
            no_location=True,
            no_obsolete=True,
            ignore_patterns=["migrations/*"],
            verbosity=0,
        )
    after = PO_FILE.read_text(encoding="utf-8")
    if before is not None and HEADER_DATE.sub("", before) == HEADER_DATE.sub("", after):
        PO_FILE.write_text(before, encoding="utf-8")


def main(argv: list[str]) -> int:
    if "--no-refresh" not in argv:
        refresh_catalogue()
    if not PO_FILE.exists():
        print(f"The Spanish catalogue {PO_FILE.relative_to(PROJECT_DIR)} does not exist.")
        return 1
    problems = catalogue_problems(parse_po(PO_FILE.read_text(encoding="utf-8")))
    where = PO_FILE.relative_to(PROJECT_DIR)
    if problems:
        print(f"The Spanish catalogue {where} is not complete ({len(problems)} problem(s)):")
        for problem in problems:
            print(f"  - {problem}")
        print("Translate these entries (and remove any fuzzy flag), then run `make messages`.")
        return 1
    count = sum(1 for entry in parse_po(PO_FILE.read_text(encoding="utf-8")) if entry.msgid)
    print(f"The Spanish catalogue is complete: all {count} entries in {where} are translated.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
