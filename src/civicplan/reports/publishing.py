"""Publish the public site as static files (`manage.py publish_static --out DIR`): both languages, every public
page, the static assets those pages use and the bulk downloads, with every internal link made relative so that the
folder works from any web server, CDN sub-folder or file://.

How it works
  - Pages are rendered in-process by Django's test client as an anonymous resident, so the static site shows exactly
    what the live site shows residents (every public view starts from its module's `public()` selector: drafts
    cannot reach the output). Pages are discovered by crawling from each language's home page and a few seed
    pages, following same-origin links; the crawl is breadth-first, visits each path once and stops at `max_pages`.
  - A page `/en/goals/1.1/` is written as `en/goals/1.1/index.html`; links point at `.../index.html` explicitly
    (file:// has no directory index). Static files keep their path under `static/`; CSS `url()` references are
    relative already and the files they name are copied too.
  - The language switch (`/language/es/?next=/es/goals/1.1/`) becomes a link to the other language's static page.
  - Links with a query string (filters, a chosen fiscal year) point at the unfiltered page. GET forms (filters,
    "compare versions", the fiscal-year picker) need a server, so they are removed, and so are POST forms.
  - Links to pages that cannot be static (survey taking, staff sign-in, the kiosk) point at the live site when
    `site_url` is given, otherwise the link is dropped and its text kept.
  - The downloads (`/api/v1/download/items.csv`, `indicators.csv`, `plan.json`) are written per language under
    `downloads/<lang>/`.
  - Re-publishing compares contents: unchanged files are not rewritten (their mtimes stay), and files the previous
    run wrote (listed in the manifest file) that no longer belong are removed. Nothing else in DIR is touched.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import posixpath
import re
import sys
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import parse_qs, urljoin, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import Resolver404, resolve
from django.utils import translation

MANIFEST_NAME = ".civicplan-static.json"
LANGUAGES = ("en", "es")
DOWNLOADS = ("items.csv", "indicators.csv", "plan.json")
DEFAULT_MAX_PAGES = 20_000
# Namespaces whose pages residents read; anything else (staff, accounts, admin) is never published.
PUBLIC_NAMESPACES = {"web", "plans", "performance", "money", "surveys", "voice", "reporting"}
# Public pages that only make sense with a server: forms that POST and the pages they lead to (taking a survey, its
# thank-you page, kiosks, invitations, following a goal by e-mail). A crawled page with a POST form that is not listed
# here is reported as an error (and published with its form removed), so a new form page cannot slip through.
DYNAMIC_VIEWS = {
    "surveys:take",
    "surveys:thanks",
    "surveys:kiosk",
    "surveys:invitation",
    "plans:goal-follow",
    "plans:goal-follow-sent",
    "plans:follow-confirm",
    "plans:follow-unsubscribe",
}
POST_FORM = re.compile(r"<form\b[^>]*method=[\"']?post", re.IGNORECASE)
# Seeds besides the home pages, in case a page is linked from nowhere (url names; reversed per language).
SEED_PATHS = ("", "surveys/", "you-said-we-did/", "versions/", "budget/", "report-card/")

ATTRIBUTE = re.compile(r'(?P<name>\b(?:href|src|action|poster))="(?P<value>[^"]*)"')
FORM = re.compile(r"<form\b[^>]*>.*?</form>", re.DOTALL | re.IGNORECASE)
EMPTY_DETAILS = re.compile(
    r"<details\b[^>]*>\s*<summary\b[^>]*>(?:(?!</summary>).)*</summary>\s*</details>", re.DOTALL
)
CSS_URL = re.compile(r"""url\(\s*(?P<quote>["']?)(?P<value>[^"')]*)(?P=quote)\s*\)""")
# Markers put in place of a link to a page that cannot be static: sign-in and staff links go altogether, other links
# (a survey's title) keep their text, buttons ("Take the survey") go.
DROPPED = "civicplan-dropped-link:"
DROPPED_WHOLLY = "civicplan-dropped-link-wholly:"
_ANCHOR = r'<a\b[^>]*href="{}"[^>]*>((?:(?!</a>).)*)</a>'
DROPPED_ITEM = re.compile(rf"<li>\s*{_ANCHOR.format(DROPPED_WHOLLY)}\s*</li>", re.DOTALL)
DROPPED_ANCHOR = re.compile(_ANCHOR.format(DROPPED_WHOLLY), re.DOTALL)
DROPPED_BUTTON = re.compile(
    rf'<a\b[^>]*class="[^"]*usa-button[^"]*"[^>]*href="{DROPPED}"[^>]*>((?:(?!</a>).)*)</a>',
    re.DOTALL,
)
DROPPED_LINK = re.compile(_ANCHOR.format(DROPPED), re.DOTALL)
DROPPED_ASSET = re.compile(
    r'<link\b[^>]*href="civicplan-dropped-link[^"]*"[^>]*>|<script\b[^>]*src="civicplan-dropped-link[^"]*"[^>]*>\s*</script>'
)


@dataclass
class PublishResult:
    out: Path
    host: str
    pages: int = 0
    written: int = 0
    unchanged: int = 0
    removed: int = 0
    files: int = 0
    bytes: int = 0
    seconds: float = 0.0
    errors: list[str] = field(default_factory=list)
    written_paths: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"{self.pages} pages, {self.files} files ({self.bytes:,} bytes): {self.written} written, "
            f"{self.unchanged} unchanged, {self.removed} removed, in {self.seconds:.1f} s"
        )


def default_host() -> str:
    """A host the site answers to (ALLOWED_HOSTS), for the in-process requests."""
    for host in settings.ALLOWED_HOSTS:
        if host == "*":
            break
        return host.lstrip(".")
    return "localhost"


def page_file(path: str) -> str:
    """`/en/goals/1.1/` -> `en/goals/1.1/index.html`; a file name keeps its name (`/en/plan.stratml.xml`)."""
    if not path.endswith("/") and "." in posixpath.basename(path):
        return path.strip("/")
    return posixpath.join(path.strip("/"), "index.html") if path.strip("/") else "index.html"


def _relative(target: str, from_file: str) -> str:
    start = posixpath.dirname(from_file) or "."
    return posixpath.relpath(target, start)


class _Publisher:
    def __init__(
        self,
        out: Path,
        *,
        host: str,
        site_url: str,
        max_pages: int,
        progress: Callable[[str], None] | None,
    ) -> None:
        self.out = out
        self.host = host
        self.site_url = site_url.rstrip("/")
        self.max_pages = max_pages
        self.progress = progress
        self.client = Client(HTTP_HOST=host, raise_request_exception=False)
        self.static_url = (
            settings.STATIC_URL if settings.STATIC_URL.startswith("/") else f"/{settings.STATIC_URL}"
        )
        self.origins = (f"http://{host}", f"https://{host}", f"//{host}")
        self.queue: deque[str] = deque()
        self.seen: set[str] = set()
        self.statics: deque[str] = deque()
        self.static_seen: set[str] = set()
        self.capped = False
        self.public_paths: dict[str, bool] = {}  # resolve() once per path: a page has dozens of links
        self.result = PublishResult(out=out, host=host)

    # --- Classifying internal URLs -----------------------------------------------------------------------------

    def _internal_path(self, value: str, base_path: str) -> tuple[str, str, str] | None:
        """(path, query, fragment) of a same-origin URL, or None for another origin, mailto:, data:, ..."""
        for origin in self.origins:
            if value.startswith(origin) and (len(value) == len(origin) or value[len(origin)] in "/?#"):
                value = value[len(origin) :] or "/"
                break
        else:
            if value.startswith("//") or re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", value):
                return None
        parts = urlsplit(urljoin(base_path, value))
        return parts.path, parts.query, parts.fragment

    def _is_public_page(self, path: str) -> bool:
        known = self.public_paths.get(path)
        if known is None:
            known = self.public_paths[path] = self._resolves_to_public_page(path)
        return known

    def _resolves_to_public_page(self, path: str) -> bool:
        language = path.split("/")[1] if path.count("/") >= 2 else ""
        if language not in LANGUAGES or "/staff/" in path or "/accounts/" in path:
            return False
        try:
            with translation.override(language):  # i18n_patterns resolve the active language's prefix only
                match = resolve(path)
        except Resolver404:
            return False
        view = f"{match.namespace}:{match.url_name}"
        return match.namespace in PUBLIC_NAMESPACES and view not in DYNAMIC_VIEWS

    def _target(self, path: str, query: str) -> str | None:
        """The output file an internal URL stands for (queueing what must be fetched), or None if it cannot be
        static."""
        if path.startswith(self.static_url):
            name = path[len(self.static_url) :]
            self._want_static(name)
            return posixpath.join("static", name)
        language_switch = re.fullmatch(r"/language/(?P<language>[a-z]{2})/", path)
        if language_switch:
            language = language_switch["language"]
            nxt = parse_qs(query).get("next", [f"/{language}/"])[0]
            next_path = urlsplit(nxt).path
            path, query = (next_path, "") if self._is_public_page(next_path) else (f"/{language}/", "")
        download = re.fullmatch(r"/api/v1/download/(?P<name>[\w.]+)", path)
        if download and download["name"] in DOWNLOADS:
            language = parse_qs(query).get("lang", ["en"])[0]
            return f"downloads/{language if language in LANGUAGES else 'en'}/{download['name']}"
        if (
            not path.endswith("/")
            and "." not in posixpath.basename(path)
            and self._is_public_page(f"{path}/")
        ):
            path = f"{path}/"
        if self._is_public_page(path):
            self._want_page(path)
            return page_file(path)
        return None

    def _want_page(self, path: str) -> None:
        if path in self.seen:
            return
        if len(self.seen) >= self.max_pages:
            self.capped = True  # links to the pages left out stay broken: reported as an error
            return
        self.seen.add(path)
        self.queue.append(path)

    def _want_static(self, name: str) -> None:
        if name not in self.static_seen:
            self.static_seen.add(name)
            self.statics.append(name)

    # --- Rewriting ---------------------------------------------------------------------------------------------

    def _rewrite_url(self, raw: str, page_path: str, from_file: str) -> str:
        value = html.unescape(raw).strip()
        if not value or value.startswith("#"):
            return raw
        parts = self._internal_path(value, page_path)
        if parts is None:
            return raw
        path, query, fragment = parts
        target = self._target(path, query)
        if target is None:
            if self.site_url:
                return html.escape(f"{self.site_url}{path}{'?' + query if query else ''}", quote=True)
            wholly = any(part in path for part in ("/accounts/", "/staff/", "/django-admin/"))
            return DROPPED_WHOLLY if wholly else DROPPED
        link = _relative(target, from_file)
        return html.escape(f"{link}#{fragment}" if fragment else link, quote=True)

    def rewrite_html(self, text: str, page_path: str, from_file: str) -> str:
        text = FORM.sub("", text)
        text = EMPTY_DETAILS.sub("", text)

        def attribute(match: re.Match[str]) -> str:
            return f'{match["name"]}="{self._rewrite_url(match["value"], page_path, from_file)}"'

        text = ATTRIBUTE.sub(attribute, text)
        text = DROPPED_ITEM.sub("", text)
        text = DROPPED_ANCHOR.sub("", text)
        text = DROPPED_BUTTON.sub("", text)
        text = DROPPED_LINK.sub(r"<span>\1</span>", text)
        text = DROPPED_ASSET.sub("", text)  # a dropped <link> or <script> (never expected) goes altogether
        return text

    def _rewrite_css(self, text: str, name: str) -> str:
        css_file = posixpath.join("static", name)

        def reference(match: re.Match[str]) -> str:
            value = match["value"].strip()
            if not value or value.startswith(("data:", "#")):
                return match[0]
            parts = self._internal_path(value, self.static_url + name)
            if parts is None:
                return match[0]
            path, _query, fragment = parts
            if not path.startswith(self.static_url):
                return match[0]
            target = self._target(path, "")
            assert target is not None
            link = _relative(target, css_file) + (f"#{fragment}" if fragment else "")
            return f"url({match['quote']}{link}{match['quote']})"

        return CSS_URL.sub(reference, text)

    # --- Fetching ----------------------------------------------------------------------------------------------

    def _get(self, path: str, **query: str) -> Any:  # the test client's response (Django is untyped here)
        return self.client.get(path, query or None, secure=True, follow=False)

    def crawl(self) -> None:
        for language in LANGUAGES:
            for seed in SEED_PATHS:
                path = f"/{language}/{seed}"
                if self._is_public_page(path):
                    self._want_page(path)
        while self.queue:
            path = self.queue.popleft()
            response = self._get(path)
            from_file = page_file(path)
            status = response.status_code
            if status in (301, 302, 303, 307, 308):
                location = response.headers["Location"]
                parts = self._internal_path(location, path)
                target = self._target(parts[0], parts[1]) if parts else None
                if target is None:
                    self.result.errors.append(f"{path} redirects to {location}, which cannot be published")
                    continue
                link = html.escape(_relative(target, from_file), quote=True)
                self._emit(
                    from_file,
                    (
                        f'<!DOCTYPE html><html lang="{path.split("/")[1]}"><head><meta charset="utf-8"><meta http-equiv="refresh" '
                        f'content="0; url={link}"><title>…</title></head><body><a href="{link}">{link}</a>'
                        f"</body></html>"
                    ).encode(),
                )
                continue
            if status != 200:
                self.result.errors.append(f"{path} answered {status}")
                continue
            if not response.headers.get("Content-Type", "").startswith("text/html"):
                self._emit(from_file, response.content)  # a public download (XML, CSV): as it is
                continue
            content = response.content.decode("utf-8")
            if POST_FORM.search(content):
                self.result.errors.append(f"{path} has a form that posts: list its view in DYNAMIC_VIEWS")
            self._emit(from_file, self.rewrite_html(content, path, from_file).encode("utf-8"))
            self.result.pages += 1
            if self.progress:
                self.progress(f"{self.result.pages} pages, {len(self.queue)} to go")
        if self.capped:
            self.result.errors.append(f"stopped at {self.max_pages} pages (max_pages)")

    def downloads(self) -> None:
        for language in LANGUAGES:
            for name in DOWNLOADS:
                response = self._get(f"/api/v1/download/{name}", lang=language)
                if response.status_code != 200:
                    self.result.errors.append(
                        f"/api/v1/download/{name}?lang={language} answered {response.status_code}"
                    )
                    continue
                self._emit(f"downloads/{language}/{name}", response.content)

    def _static_source(self, name: str) -> Path | None:
        root = Path(settings.STATIC_ROOT) / name
        if settings.STATIC_ROOT and root.is_file():
            return root
        found = finders.find(name)
        return Path(found) if isinstance(found, str) else None

    def static_files(self) -> None:
        while self.statics:
            name = self.statics.popleft()
            source = self._static_source(name)
            if source is None or ".." in name.split("/"):
                self.result.errors.append(f"static file {name} not found")
                continue
            data = source.read_bytes()
            if name.endswith(".css"):
                data = self._rewrite_css(data.decode("utf-8"), name).encode("utf-8")
            self._emit(posixpath.join("static", name), data)

    def root_index(self) -> None:
        """DIR/index.html sends readers to the English home page (a web server may not know the languages)."""
        link = "en/index.html"
        self._emit(
            "index.html",
            (
                f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" '
                f'content="0; url={link}"><title>Strategic Plan</title></head><body><p><a href="{link}">English</a> · '
                f'<a href="es/index.html" lang="es">Español</a></p></body></html>'
            ).encode(),
        )

    # --- Writing -----------------------------------------------------------------------------------------------

    def begin(self) -> None:
        self.manifest_path = self.out / MANIFEST_NAME
        self.previous: dict[str, str] = {}
        if self.manifest_path.is_file():
            self.previous = dict(json.loads(self.manifest_path.read_text(encoding="utf-8")).get("files", {}))
        self.out.mkdir(parents=True, exist_ok=True)
        self.root = self.out.resolve()
        self.current: dict[str, str] = {}

    def _emit(self, relative: str, data: bytes) -> None:
        """Write one file unless it already holds these bytes (its mtime then stays)."""
        self.current[relative] = hashlib.sha256(data).hexdigest()
        self.result.files += 1
        self.result.bytes += len(data)
        target = self.out / relative
        if target.is_file() and target.stat().st_size == len(data) and target.read_bytes() == data:
            self.result.unchanged += 1
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(f".{target.name}.tmp")
        temporary.write_bytes(data)
        os.replace(temporary, target)
        self.result.written += 1
        self.result.written_paths.append(relative)

    def finish(self) -> None:
        """Remove what the previous run wrote and this one did not; then record this run's files."""
        for relative in sorted(set(self.previous) - set(self.current)):
            target = (self.out / relative).resolve()
            if not target.is_relative_to(self.root) or target == self.manifest_path.resolve():
                continue  # a manifest edited by hand must not make us delete outside DIR
            if target.is_file():
                target.unlink()
                self.result.removed += 1
                _remove_empty_parents(target.parent, self.root)
        manifest = {"generator": "civicplan publish_static", "files": self.current}
        text = json.dumps(manifest, indent=1, sort_keys=True)
        if not self.manifest_path.is_file() or self.manifest_path.read_text(encoding="utf-8") != text:
            self.manifest_path.write_text(text, encoding="utf-8")


def _remove_empty_parents(directory: Path, root: Path) -> None:
    while directory != root and directory.is_relative_to(root) and not any(directory.iterdir()):
        directory.rmdir()
        directory = directory.parent


def publish_static(
    out: Path | str,
    *,
    host: str | None = None,
    site_url: str = "",
    max_pages: int = DEFAULT_MAX_PAGES,
    progress: Callable[[str], None] | None = None,
) -> PublishResult:
    """Write the public site into `out`; see the module's docstring. `site_url` (e.g. https://plan.example.gov) is
    where links to pages that cannot be static (survey forms, staff sign-in) should go; without it they are dropped."""
    started = time.perf_counter()
    publisher = _Publisher(
        Path(out), host=host or default_host(), site_url=site_url, max_pages=max_pages, progress=progress
    )
    publisher.begin()
    publisher.crawl()
    publisher.downloads()
    publisher.static_files()
    publisher.root_index()
    publisher.finish()
    publisher.result.seconds = time.perf_counter() - started
    return publisher.result


def tty_progress(stream: TextIO | None = None) -> Callable[[str], None] | None:
    """A one-line counter on a terminal (None when the output is a file or a pipe)."""
    out = stream or sys.stdout
    if not out.isatty():
        return None

    def show(line: str) -> None:
        out.write(f"\r{line}\x1b[K")
        out.flush()

    return show
