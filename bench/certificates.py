"""Certificate rendering: the naive way against OEP's way, for a typical and a national batch.

Naive: one ``write_pdf()`` per certificate, each building its own font configuration.
OEP's way (``oep.certificates.services``): one font configuration and image cache per
process, certificates laid out in chunks of 60 as one document and each page written as its
own PDF (``document.copy([page]).write_pdf()``) carrying its signed Open Badges credential,
chunks rendered by two processes.

Each way runs in a fresh process, so that its peak memory (max RSS, render processes
included) is its own. Certificates are the real template, with an emblem, a signature, a
QR code and names in Latin and Greek script, in five languages.

    python -m bench.certificates [--sizes 250 5000]
"""

from __future__ import annotations

import argparse
import io
import multiprocessing
import resource
import tempfile
import time
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

NAMES = [
    "Ελένη Παπαδοπούλου",
    "Amina Haddad",
    "Jonas Berg",
    "Mette Jørgensen",
    "Giuseppe Lo Piccolo",
    "Αναστασία Οικονόμου",
]
LANGUAGES = ["el", "en", "da", "de", "it"]


def _app(workdir: str):
    from PIL import Image

    from oep import create_app

    uploads = Path(workdir) / "uploads"
    uploads.mkdir(parents=True, exist_ok=True)
    for name, size, colour in (("emblem.png", (300, 200), (0, 51, 153)), ("signature.png", (400, 120), (20, 20, 20))):
        out = io.BytesIO()
        Image.new("RGB", size, colour).save(out, "PNG")
        (uploads / name).write_bytes(out.getvalue())
    return create_app(
        {
            "DATABASE_URL": "sqlite://",
            "SECRET_KEY": "bench-" + "x" * 40,
            "UPLOAD_DIR": str(uploads),
            "BASE_URL": "https://oep.example.org",
        },
        instance_path=workdir,
    )


def _data(i: int) -> dict:
    from oep.certificates.models import new_code
    from oep.core.pdf import qr_url

    code = new_code()
    verify = f"https://oep.example.org/verify/{code}"
    return {
        "code": code,
        "kind": "completion" if i % 4 else "participation",
        "language": LANGUAGES[i % len(LANGUAGES)],
        "holder_name": f"{NAMES[i % len(NAMES)]} {i}",
        "organisation_name": "Σύλλογος Γυναικών Κυψέλης",
        "programme_name": "OEP 2026 — Intercultural Cities Learning Together",
        "programme_starts_on": date(2026, 2, 1),
        "programme_ends_on": date(2026, 11, 30),
        "city": "Athens",
        "hours": Decimal("38.5"),
        "modules": ["Organisational development", "Fundraising", "Intercultural mediation"],
        "issued_at": datetime(2026, 12, 1, tzinfo=UTC),
        "signatory_name": "Dr. Sofia Marino",
        "signatory_title": "Programme Coordinator",
        "signature_file": "signature.png",
        "emblem_file": "emblem.png",
        "funder_acknowledgement": "Co-funded by the European Union",
        "verify_url": verify,
        "qr": qr_url(verify),
        "identity_salt": f"{i:032x}",
    }


def _naive(n: int, workdir: str) -> int:
    from weasyprint import HTML

    from oep.certificates.services import html_for
    from oep.core import pdf

    app = _app(workdir)
    total = 0
    with app.test_request_context():
        assets = pdf.Assets.of(app)
        for i in range(n):
            html = html_for([_data(i)])
            total += len(
                HTML(string=html, url_fetcher=pdf.make_url_fetcher(assets)).write_pdf(pdf_variant=pdf.PDF_VARIANT)
            )
    return total


def _signed_chunk(items: list[dict], services, badges, key) -> tuple:
    """A chunk as OEP issues it: each certificate with its credential signed (VC-JWT) and
    embedded (the status bit is drawn at random here; allocating it is a database insert)."""
    site = type("Site", (), {"programme_id": 1})
    embedded = []
    for data in items:
        token = badges.sign_jwt(badges.credential(services._facts(data, site), 1, services.draw_indices(1)[0]), key)
        embedded.append([services._embedded_credential(data, type("Credential", (), {"jwt": token}))])
    return services.html_for(items), len(items), embedded


def _oep(n: int, workdir: str) -> int:
    from oep.certificates import badges, issuer, services

    app = _app(workdir)
    total = 0
    with app.test_request_context():
        key = issuer.signing_key()
        size = services.chunk_size(n, 2)
        starts = range(0, n, size)
        chunks = (_signed_chunk([_data(i) for i in range(s, min(n, s + size))], services, badges, key) for s in starts)
        for result in services.render_all(chunks, processes=2, expected=len(starts)):
            if isinstance(result, Exception):
                raise result
            total += sum(len(p) for p in result)
    return total


def _measure(way: str, n: int, queue) -> None:
    with tempfile.TemporaryDirectory() as workdir:
        started = time.perf_counter()
        size = (_naive if way == "naive" else _oep)(n, workdir)
        seconds = time.perf_counter() - started
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    queue.put(
        {
            "way": way,
            "n": n,
            "seconds": seconds,
            "ms_each": seconds * 1000 / n,
            "peak_mb": max(own, children),
            "parent_mb": own,
            "kb_each": size / n / 1024,
        }
    )


def measure(way: str, n: int) -> dict:
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=_measure, args=(way, n, queue))
    process.start()
    result = queue.get()
    process.join()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[250, 5000])
    args = parser.parse_args()
    print(f"\nCertificates: naive vs OEP's way ({multiprocessing.cpu_count()} cores)")
    print(f"{'batch':>6} {'way':<6} {'total':>9} {'per cert':>9} {'peak RSS':>9} {'size':>7}")
    for n in args.sizes:
        results = {way: measure(way, n) for way in ("naive", "oep")}
        for way in ("naive", "oep"):
            r = results[way]
            print(
                f"{n:>6} {way:<6} {r['seconds']:>8.1f}s {r['ms_each']:>7.1f}ms "
                f"{r['peak_mb']:>7.0f}MB {r['kb_each']:>5.0f}kB"
            )
        print(
            f"{'':>6} {'':<6} OEP's way is "
            f"{results['naive']['ms_each'] / results['oep']['ms_each']:.1f}x faster per certificate"
        )


if __name__ == "__main__":
    main()
