"""Printed documents: HTML + CSS rendered to PDF/A by WeasyPrint.

Documents are rendered from plain data (never ORM objects) and may load only the app's own
files: ``oep://static/...`` (fonts, styles) and ``oep://uploads/...`` (emblems, signatures,
read through the storage layer, whichever backend keeps them), plus inline ``data:`` URLs.
Anything else — ``file://``, ``http(s)://`` — is refused, so a name typed into a form cannot
make the server read its disk or call out to the network.

One ``FontConfiguration`` and one image cache are kept per process: building them is a
large part of the cost of a small document.
"""

from __future__ import annotations

import atexit
import base64
import ctypes.util
import io
import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote, unquote

from oep.core import storage

log = logging.getLogger(__name__)

PDF_VARIANT = "pdf/a-3b"


@dataclass(frozen=True)
class Assets:
    """Where the fetcher may read: the app's static folder, and the uploads in its storage
    (described by settings, so that a render process without the app can open it)."""

    static_dir: str
    storage: storage.StorageSettings

    @classmethod
    def of(cls, app) -> Assets:
        return cls(static_dir=str(Path(app.static_folder).resolve()), storage=storage.StorageSettings.of(app.config))


class RefusedURL(ValueError):
    pass


def _inside(root: str, relative: str) -> Path:
    base = Path(root).resolve()
    path = (base / relative).resolve()
    if base not in path.parents or not path.is_file():
        raise RefusedURL(f"not an asset: {relative}")
    return path


def _upload(assets: Assets, name: str) -> bytes:
    try:
        return storage.for_settings(assets.storage).read_bytes(storage.check_key(f"uploads/{name}"))
    except (storage.InvalidKey, FileNotFoundError):
        raise RefusedURL(f"not an upload: {name[:200]}") from None


MEDIA_TYPES = {".ttf": "font/ttf", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".css": "text/css"}


STATIC, UPLOADS, QR_PREFIX = "oep://static/", "oep://uploads/", "oep://qr/"


def _media_type(suffix: str) -> str:
    return MEDIA_TYPES.get(suffix.lower(), "application/octet-stream")


def qr_url(text: str) -> str:
    """An image URL that the fetcher answers with a QR code of ``text``: the code is drawn
    where the document is rendered (in the render processes, in parallel), not beforehand."""
    return QR_PREFIX + quote(text, safe="")


def qr_png(text: str) -> bytes:
    import segno  # lazy: only processes that print documents need it

    out = io.BytesIO()
    segno.make(text, error="m").save(out, kind="png", scale=4, border=1)
    return out.getvalue()


def make_url_fetcher(assets: Assets):
    """A WeasyPrint URL fetcher that serves only ``oep://static/``, ``oep://uploads/``,
    ``oep://qr/`` and ``data:`` URLs."""
    # lazy: WeasyPrint takes about a second to import, and only render processes need it
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class AssetFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if url.startswith("data:"):
                return super().fetch(url, headers)  # urllib's data: handler; no I/O
            if url.startswith(QR_PREFIX) and len(url) < 1000:
                return URLFetcherResponse(url, qr_png(unquote(url[len(QR_PREFIX) :])), {"Content-Type": "image/png"})
            if url.startswith(STATIC):
                path = _inside(assets.static_dir, url[len(STATIC) :])
                return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": _media_type(path.suffix)})
            if url.startswith(UPLOADS):
                name = url[len(UPLOADS) :]
                return URLFetcherResponse(url, _upload(assets, name), {"Content-Type": _media_type(Path(name).suffix)})
            log.warning("Refused to fetch %s while rendering a PDF", url[:200])
            raise RefusedURL(f"refused: {url[:200]}")

    return AssetFetcher()


@lru_cache(maxsize=1)
def font_config():
    from weasyprint.text.fonts import FontConfiguration  # lazy: see make_url_fetcher()

    # Released before the interpreter tears its modules down (its __del__ needs them).
    atexit.register(font_config.cache_clear)
    return FontConfiguration()


_IMAGE_CACHE: dict = {}


def render_document(html: str, assets: Assets):
    """Lay out ``html`` once; its pages can then be written one by one."""
    from weasyprint import HTML  # lazy: see make_url_fetcher()

    return HTML(string=html, url_fetcher=make_url_fetcher(assets), base_url="oep://static/").render(
        font_config=font_config(), pdf_variant=PDF_VARIANT, cache=_IMAGE_CACHE
    )


@dataclass(frozen=True)
class EmbeddedFile:
    """A file carried inside a PDF/A-3 document as an associated file (ISO 19005-3): listed in
    the catalogue's /AF with its relationship to the document and its media type."""

    name: str
    media_type: str
    content: bytes
    description: str = ""
    #: Alternative: another representation of what the document says (a signed credential).
    relationship: str = "Alternative"

    def attachment(self):
        from weasyprint import Attachment  # lazy: see make_url_fetcher()

        # A data: URL carries the media type into the embedded file's /Subtype.
        url = f"data:{self.media_type};base64,{base64.b64encode(self.content).decode('ascii')}"
        return Attachment(url=url, name=self.name, description=self.description, relationship=self.relationship)


def write_pages(document, embedded: list[list[EmbeddedFile]] | None = None) -> list[bytes]:
    """Each page of a laid-out document as its own PDF/A file, with that page's embedded files.
    Copying the document per page keeps each file's resources to its own page (unlike
    splitting a finished PDF)."""
    results = []
    for number, page in enumerate(document.pages):
        single = document.copy([page])
        files = embedded[number] if embedded else []
        attachments = [f.attachment() for f in files]
        results.append(
            single.write_pdf(pdf_variant=PDF_VARIANT, attachments=attachments, finisher=_associated_files_once)
        )
    return results


def _associated_files_once(document, pdf) -> None:
    """WeasyPrint 70 lists each attachment twice in the catalogue's /AF (Kozea/WeasyPrint#2917,
    fixed after 70.0): list each once."""
    import pydyf  # lazy: comes with WeasyPrint

    if "AF" in pdf.catalog:
        pdf.catalog["AF"] = pydyf.Array(dict.fromkeys(pdf.catalog["AF"]))


def render_pages(
    html: str, count: int, assets: Assets, embedded: list[list[EmbeddedFile]] | None = None
) -> list[bytes]:
    """Lay out ``html`` (``count`` documents, one page each) and write each page as its own
    PDF, carrying ``embedded[i]`` in page ``i``'s file. Runs in render processes too: it needs
    no app, only the assets (the static folder and the storage's settings)."""
    document = render_document(html, assets)
    if len(document.pages) != count:
        raise RuntimeError(f"{count} documents laid out on {len(document.pages)} pages")
    return write_pages(document, embedded)


def warm_up() -> None:
    """Import WeasyPrint and build the font configuration once per render process."""
    import weasyprint  # noqa: F401

    font_config()


def render_pdf(html: str, assets: Assets, title: str = "", lang: str = "en") -> bytes:
    document = render_document(html, assets)
    if title:
        document.metadata.title = title
    document.metadata.lang = lang
    return document.write_pdf(pdf_variant=PDF_VARIANT)


def harfbuzz_subset_available() -> bool:
    return ctypes.util.find_library("harfbuzz-subset") is not None


def warn_if_slow_fonts() -> None:
    if not harfbuzz_subset_available():
        log.warning(
            "libharfbuzz-subset is not installed: WeasyPrint will subset fonts in pure Python, "
            "about ten times slower. Install it (Debian: apt-get install libharfbuzz-subset0)."
        )
