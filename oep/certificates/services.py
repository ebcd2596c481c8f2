"""Issuing, storing, re-issuing and revoking certificates.

A certificate is rendered once, from plain data, and its PDF/A file is stored with its
SHA-256; downloads serve that file. Later edits of a name or of the template change nothing
already issued. Re-issuing makes a new version with a new code, and the old one says it was
replaced; revoking keeps the record and says when and why.

Bulk issuing renders certificates in chunks: each chunk is laid out as one document (one
page per certificate) and every page is written as its own PDF; with several render
processes, chunks are rendered side by side.
"""

from __future__ import annotations

import logging
import multiprocessing
import secrets
import threading
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from flask import current_app, render_template
from flask_babel import format_decimal
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy.orm import Session, joinedload

from oep.accounts import services as accounts
from oep.accounts.models import User
from oep.attendance import completion
from oep.attendance.models import Attendance
from oep.certificates import badges, issuer
from oep.certificates.models import (
    STATUS_LIST_CAPACITY,
    STATUS_LIST_SIZE,
    BadgeCredential,
    Certificate,
    CertificateKind,
    CertificateStatus,
    new_code,
)
from oep.core import pdf, storage
from oep.core.db import utcnow
from oep.core.errors import Conflict, InvalidInput
from oep.core.i18n import in_language, interface_languages, is_interface_language, supported_language
from oep.core.i18n_text import I18nText
from oep.core.mail import Attachment, send_mail
from oep.organisations.models import Participant
from oep.programmes.models import Module, Site
from oep.scheduling.models import ScheduledSession, SessionKind, SessionStatus

log = logging.getLogger(__name__)

#: Certificates laid out together as one document (50-100 is the fast range: fewer and the
#: fixed cost per document shows, more and memory grows).
CHUNK_SIZE = 60

#: The longest reason for revoking a certificate, in characters (verification shows it).
REVOKE_REASON_LIMIT = 1000


# --- what goes on a certificate --------------------------------------------------------------------


@dataclass
class Decision:
    """Whether a participant gets a certificate, which kind, and why not a completion one."""

    participant: Participant
    progress: completion.Progress
    kind: CertificateKind | None
    reasons: list[str]


def decide(participant: Participant, progress: completion.Progress, module_titles: dict[int, str]) -> Decision:
    """What ``participant`` qualifies for under the programme's completion rule (its
    ``completion_min_attendance_percent`` of the site's planned course hours, and every
    mandatory module when ``completion_requires_mandatory_modules``; see
    ``attendance.completion``): a certificate of completion; else one of participation when
    they attended anything; else none. The reasons (in the current language) say why not
    completion; ``module_titles`` maps module ids to titles and must hold the mandatory ones."""
    programme = progress.programme
    reasons = []
    if not progress.meets_hours:
        reasons.append(
            _(
                "%(hours).1f of %(planned).1f hours (%(share)d %%); completion needs %(needed)d %%.",
                hours=progress.attended_hours,
                planned=progress.planned_hours,
                share=round(progress.share_of_planned * 100),
                needed=programme.completion_min_attendance_percent,
            )
        )
    if programme.completion_requires_mandatory_modules and progress.missing_mandatory:
        reasons.append(
            _(
                "Mandatory module(s) not attended: %(modules)s.",
                modules=", ".join(str(module_titles[m]) for m in progress.missing_mandatory),
            )
        )
    if progress.complete:
        return Decision(participant, progress, CertificateKind.COMPLETION, [])
    if progress.attended_any:
        return Decision(participant, progress, CertificateKind.PARTICIPATION, reasons)
    return Decision(participant, progress, None, [_("No attendance recorded.")])


def decisions_for_site(session: Session, site: Site, participant_ids: list[int] | None = None) -> list[Decision]:
    """Every participant of the site's roster (or those of ``participant_ids`` on it) with
    what they qualify for (``decide``), by name; in a fixed number of queries."""
    roster = completion.roster_ids_of_site(site)
    stmt = sa.select(Participant).where(Participant.id.in_(roster)).options(joinedload(Participant.organisation))
    if participant_ids is not None:
        stmt = stmt.where(Participant.id.in_(participant_ids))
    people = session.scalars(stmt.order_by(Participant.name, Participant.id)).all()
    ids = [p.id for p in people]
    progress = completion.progress_for_participants(session, site, ids if participant_ids is not None else roster)
    titles = dict(
        session.execute(sa.select(Module.id, Module.title).where(Module.programme_id == site.programme_id)).all()
    )
    totals = completion.site_totals(session, site)
    return [decide(p, progress.get(p.id) or completion.Progress(p.id, site.programme, totals), titles) for p in people]


def attended_modules(session: Session, site: Site, participant_ids: list[int]) -> dict[int, list[I18nText]]:
    """For each of ``participant_ids``, the titles (in the programme's languages) of the
    modules they attended at the site's course sessions that are not cancelled, in curriculum
    order (``[]`` for none); two queries."""
    titles = dict(
        session.execute(sa.select(Module.id, Module.title).where(Module.programme_id == site.programme_id)).all()
    )
    rows = session.execute(
        sa.select(Attendance.participant_id, Module.id, Module.position)
        .join(ScheduledSession, ScheduledSession.id == Attendance.session_id)
        .join(Module, Module.id == ScheduledSession.module_id)
        .where(
            Attendance.participant_id.in_(participant_ids),
            ScheduledSession.site_id == site.id,
            ScheduledSession.kind == SessionKind.COURSE,
            ScheduledSession.status != SessionStatus.CANCELLED,
            Attendance.status.in_(completion.ATTENDED),
        )
        .distinct()
        .order_by(Module.position, Module.id)
    ).all()
    result: dict[int, list[I18nText]] = {pid: [] for pid in participant_ids}
    for pid, module_id, _position in rows:
        result[pid].append(titles[module_id])
    return result


def certificate_language(participant: Participant, requested: str | None) -> str:
    """The language a certificate is written in: the one asked for, else the holder's
    preferred language when it is an interface language, else the default language."""
    if is_interface_language(requested):
        return requested
    return supported_language(participant.preferred_language)


def plain_data(decision: Decision, site: Site, modules: list[I18nText], language: str, code: str, issued_at) -> dict:
    """Everything the certificate shows, as plain values (what the template is given, and
    what the record keeps): names, programme, city, attended hours rounded to a tenth, the
    ``modules`` attended, ``issued_at`` (a UTC datetime), signatory, funder line, and the
    verification address of ``code`` with its QR code. The programme's texts are in
    ``language`` where they are given in it, else in the programme's main language, else in
    any (see ``missing_texts``)."""
    programme = site.programme
    participant = decision.participant

    def text(value: I18nText) -> str:
        return value.localize(language, programme.languages)

    verify_url = accounts.external_url("certificates.verify_code", code=code)
    return {
        "code": code,
        "kind": decision.kind.value,
        "language": language,
        "holder_name": participant.name,
        "organisation_name": participant.organisation.name,
        "programme_name": text(programme.name),
        "programme_starts_on": programme.starts_on,
        "programme_ends_on": programme.ends_on,
        "city": text(site.city),
        "hours": Decimal(str(decision.progress.attended_hours)).quantize(Decimal("0.1")),
        "modules": [text(title) for title in modules],
        "issued_at": issued_at,
        "signatory_name": programme.certificate_signatory_name,
        "signatory_title": text(programme.certificate_signatory_title),
        "signature_file": programme.certificate_signature_file,
        "emblem_file": programme.emblem_file,
        "funder_acknowledgement": text(programme.funder_acknowledgement),
        "verify_url": verify_url,
        "qr": pdf.qr_url(verify_url),
        "identity_salt": secrets.token_hex(16),
    }


@dataclass
class MissingText:
    """A programme text a certificate prints that is not given in a holder's language:
    what it is (``what``, in the current language), the ``language`` it is missing in, and the
    text printed instead (``fallback``) with the language it is in (``fallback_language``,
    ``"*"`` for a text in no particular language)."""

    what: str
    language: str
    fallback: str
    fallback_language: str | None


def holders_languages(decisions: list[Decision], requested: str | None = None) -> list[str]:
    """The languages the certificates of these decisions will be written in (each eligible
    holder's, see ``certificate_language``), in the order of the interface languages."""
    wanted = {certificate_language(d.participant, requested) for d in decisions if d.kind is not None}
    return [code for code in interface_languages() if code in wanted]


def missing_texts(site: Site, languages: list[str]) -> list[MissingText]:
    """The programme's texts that the site's certificates print (the programme's name, the
    city, the module titles, the signatory's title and the funder line) and that are not given
    in one of ``languages``, language by language, each with the text printed instead: the
    one in the programme's main language, else in any language given (see ``plain_data``).
    Texts left empty in every language are not missing. Raises nothing."""
    programme = site.programme
    texts = [
        (_("The programme's name"), programme.name),
        (_("The city"), site.city),
        *((_("The module “%(title)s”", title=module.title), module.title) for module in programme.modules),
        (_("The signatory's title"), programme.certificate_signatory_title),
        (_("The funder acknowledgement"), programme.funder_acknowledgement),
    ]
    missing = []
    for language in languages:
        for what, text in texts:
            if text and not text.has(language):
                fallback_language = text.source_language(language, programme.languages)
                missing.append(
                    MissingText(what, language, text.localize(language, programme.languages), fallback_language)
                )
    return missing


def html_for(certificates: list[dict]) -> str:
    """One HTML document holding these certificates, one per page, each in its language."""
    sections = []
    for data in certificates:
        with in_language(data["language"]):
            sections.append(Markup(render_template("pdf/_certificate_page.html", c=data)))  # escaped inside
    return render_template("pdf/certificates.html", pages=sections)


# --- rendering, in this process or in render processes ---------------------------------------------------


render_chunk = pdf.render_pages  # one chunk: laid out once, one PDF per page


def chunk_size(total: int, processes: int) -> int:
    """Chunks of up to CHUNK_SIZE, small enough that every render process gets at least two
    (so none waits idle at the end of a batch)."""
    if processes <= 1:
        return CHUNK_SIZE
    return max(10, min(CHUNK_SIZE, -(-total // (2 * processes))))


def _chunks(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _process_context():
    """How render processes start. A single-threaded process (an RQ worker, a command) forks:
    the children inherit WeasyPrint and the fonts already loaded, and start at once. A web
    process runs threads, and forking a threaded process is unsafe: there a fork server
    (itself single-threaded, with WeasyPrint preloaded) forks them."""
    if threading.active_count() == 1:
        pdf.warm_up()
        return multiprocessing.get_context("fork")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["oep.core.pdf", "weasyprint"])
    return context


def render_all(
    chunks: Iterable[tuple[str, int, list[list[pdf.EmbeddedFile]]]], processes: int, expected: int = 0
) -> Iterator[list[bytes] | Exception]:
    """PDFs for each (html, count, embedded files per page) chunk, in order; a chunk that fails
    yields its exception.

    With several processes, each chunk is handed to them as soon as its HTML is ready, so
    preparing the next chunks overlaps with rendering the first ones.
    """
    assets = pdf.Assets.of(current_app)
    if processes <= 1 or expected < 2:
        for html, count, embedded in chunks:
            try:
                yield render_chunk(html, count, assets, embedded)
            except Exception as exc:  # reported per chunk by the caller
                yield exc
        return
    with ProcessPoolExecutor(max_workers=processes, mp_context=_process_context(), initializer=pdf.warm_up) as pool:
        futures = [pool.submit(render_chunk, html, count, assets, embedded) for html, count, embedded in chunks]
        for future in futures:
            try:
                yield future.result()
            except Exception as exc:  # reported per chunk by the caller
                yield exc


# --- storing -------------------------------------------------------------------------------------------


def file_key(certificate: Certificate) -> str:
    """The storage key of the certificate's PDF (``certificates/<programme>/<code>.pdf``; the
    file may have gone missing)."""
    return f"certificates/{certificate.file_name}"


def _store(
    session: Session,
    data: dict,
    decision: Decision,
    site: Site,
    pdf_bytes: bytes,
    by: User | None,
    credential: BadgeCredential | None = None,
) -> Certificate:
    file_name = f"{site.programme_id}/{data['code']}.pdf"
    stored = storage.current().write(f"certificates/{file_name}", pdf_bytes)
    previous = session.scalar(
        sa.select(Certificate).where(
            Certificate.participant_id == decision.participant.id,
            Certificate.site_id == site.id,
            Certificate.status == CertificateStatus.VALID,
        )
    )
    certificate = Certificate(
        code=data["code"],
        participant_id=decision.participant.id,
        programme_id=site.programme_id,
        site_id=site.id,
        organisation_id=decision.participant.organisation_id,
        kind=decision.kind,
        language=data["language"],
        version=(previous.version + 1) if previous else 1,
        supersedes_id=previous.id if previous else None,
        holder_name=data["holder_name"],
        organisation_name=data["organisation_name"],
        programme_name=data["programme_name"],
        city=data["city"],
        hours=data["hours"],
        modules=data["modules"],
        identity_salt=data["identity_salt"],
        file_name=file_name,
        sha256=stored.sha256,
        size=stored.size,
        issued_at=data["issued_at"],
        issued_by_id=by.id if by else None,
    )
    if previous is not None:
        previous.status, previous.superseded_at = CertificateStatus.SUPERSEDED, utcnow()
    session.add(certificate)
    session.flush()
    if credential is not None:
        credential.certificate_id = certificate.id
        session.flush()
    return certificate


def _mail(session: Session, certificate: Certificate, participant: Participant, pdf_bytes: bytes) -> None:
    if not participant.email:
        return
    with in_language(certificate.language):
        subject = _("Your certificate: %(programme)s", programme=certificate.programme_name)
        body = render_template(
            "mail/certificate.txt",
            certificate=certificate,
            link=accounts.external_url("certificates.verify_code", code=certificate.code),
        )
    send_mail(
        session,
        participant.email,
        subject,
        body,
        attachments=[Attachment(certificate.download_name, pdf_bytes, "application/pdf")],
    )


# --- issuing ------------------------------------------------------------------------------------------


@dataclass
class IssueResult:
    """What an issue did: the certificates issued; a failure ``{"item": name, "reason":
    text}`` for each participant of a chunk that could not be rendered; and how many of the
    decisions needed no new certificate."""

    issued: list[Certificate]
    failures: list[dict]
    skipped: int


def pending(session: Session, site: Site, decisions: list[Decision], language: str | None = None) -> list[Decision]:
    """The decisions that call for a new certificate: eligible, and without a valid one of the
    same kind (unless a language is asked for explicitly, which re-issues)."""
    eligible = [d for d in decisions if d.kind is not None]
    current = {
        c.participant_id: c
        for c in session.scalars(
            sa.select(Certificate).where(
                Certificate.site_id == site.id,
                Certificate.status == CertificateStatus.VALID,
                Certificate.participant_id.in_([d.participant.id for d in eligible]),
            )
        )
    }
    return [
        d
        for d in eligible
        if d.participant.id not in current or current[d.participant.id].kind is not d.kind or language is not None
    ]


def issue(
    session: Session,
    site: Site,
    decisions: list[Decision],
    by: User | None,
    *,
    language: str | None = None,
    mail: bool = False,
    progress=None,
    processes: int = 1,
    commit_each_chunk: bool = False,
) -> IssueResult:
    """Issue the certificates these decisions call for (see ``pending``): each signed as an
    Open Badges credential (embedded in its PDF, see ``sign_credentials``), rendered once,
    stored with its SHA-256, recorded, and a participant's earlier valid certificate at the
    site marked superseded. Returns what was issued and what failed; a chunk that fails to
    render is reported in ``failures`` (its credentials dropped, their status bits freed) and
    raises nothing.

    ``by`` is the user issuing (``None`` for a job without one); ``language`` an interface
    language for every certificate (``None``: each participant's own, see
    ``certificate_language``); ``mail`` also sends each PDF to participants with an address;
    ``progress`` (a job's progress) hears of each chunk done; ``processes`` is how many render
    processes to use; ``commit_each_chunk`` commits after each chunk (for a job).

    Raises ``InvalidInput`` for a ``language`` that is not an interface language (field
    ``language``), before anything is rendered.
    """
    if language is not None and not is_interface_language(language):
        raise InvalidInput(_("Choose one of the certificate languages."), field="language")
    todo = pending(session, site, decisions, language)
    skipped = len(decisions) - len(todo)
    modules = attended_modules(session, site, [d.participant.id for d in todo])
    issued_at = utcnow()
    prepared = []
    for decision in todo:
        lang = certificate_language(decision.participant, language)
        prepared.append(
            (decision, plain_data(decision, site, modules[decision.participant.id], lang, new_code(), issued_at))
        )
    chunks = list(_chunks(prepared, chunk_size(len(prepared), processes)))
    signed: list[list[BadgeCredential]] = []

    def documents():
        # Each certificate carries its signed credential, so it is signed (and its status bit
        # taken) before the chunk is rendered.
        for chunk in chunks:
            credentials = sign_credentials(session, [_facts(data, site) for _, data in chunk])
            signed.append(credentials)
            embedded = [[_embedded_credential(data, c)] for (_, data), c in zip(chunk, credentials, strict=True)]
            yield html_for([d for _, d in chunk]), len(chunk), embedded

    issued, failures = [], []
    rendered_chunks = render_all(documents(), processes, expected=len(chunks))
    for number, (chunk, rendered) in enumerate(zip(chunks, rendered_chunks, strict=True)):
        chunk_failures = []
        if isinstance(rendered, Exception):
            log.error("A chunk of %d certificates failed: %s", len(chunk), rendered)
            chunk_failures = [{"item": d.participant.name, "reason": str(rendered)[:300]} for d, _ in chunk]
            for credential in signed[number]:  # its bits go back: no one holds these credentials
                session.delete(credential)
            session.flush()
        else:
            for (decision, data), pdf_bytes, credential in zip(chunk, rendered, signed[number], strict=True):
                certificate = _store(session, data, decision, site, pdf_bytes, by, credential)
                issued.append(certificate)
                if mail:
                    _mail(session, certificate, decision.participant, pdf_bytes)
        failures.extend(chunk_failures)
        if commit_each_chunk:
            session.commit()
        if progress is not None:
            progress.advance(len(chunk), chunk_failures)
    return IssueResult(issued, failures, skipped)


def issue_one(
    session: Session, site: Site, participant: Participant, by: User, language: str | None = None
) -> Certificate:
    """Issue one participant's certificate at ``site`` now, in ``language`` (an interface
    language) or their preferred one — again, as a new version, when they hold one already.
    Returns it.

    Raises ``Conflict`` for a participant not on the site's roster, without any attendance,
    or whose certificate could not be rendered; ``InvalidInput`` for a language that is not
    an interface language (field ``language``).
    """
    [decision] = decisions_for_site(session, site, [participant.id]) or [None]
    if decision is None:
        raise Conflict(_("%(name)s is not on this site's roster.", name=participant.name))
    if decision.kind is None:
        raise Conflict(
            _("%(name)s has no attendance recorded yet: no certificate can be issued.", name=participant.name)
        )
    result = issue(session, site, [decision], by, language=language or certificate_language(participant, None))
    if result.failures:
        raise Conflict(_("The certificate could not be produced: %(reason)s", reason=result.failures[0]["reason"]))
    return result.issued[0]


def revoke(session: Session, certificate: Certificate, reason: str, by: User) -> None:
    """Revoke a certificate, saying why: the record and file are kept, verification shows it as
    revoked, when and why, and its credential's bit is set in the status list from now on.
    Raises ``InvalidInput`` for an empty reason or one over ``REVOKE_REASON_LIMIT`` characters
    (field ``reason``) and ``Conflict`` for a certificate already revoked."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("Say why the certificate is revoked."), field="reason")
    if len(reason) > REVOKE_REASON_LIMIT:
        raise InvalidInput(_("At most %(n)s characters.", n=format_decimal(REVOKE_REASON_LIMIT)), field="reason")
    if certificate.status is CertificateStatus.REVOKED:
        raise Conflict(_("This certificate is already revoked."))
    certificate.status, certificate.revoked_at = CertificateStatus.REVOKED, utcnow()
    certificate.revoked_by_id, certificate.revoke_reason = by.id, reason
    session.flush()


# --- Open Badges credentials ------------------------------------------------------------------------

#: Attempts at a free status bit before giving up (each a fresh random draw; with a list at most
#: half full, twenty misses in a row do not happen by chance).
MAX_DRAWS = 20
_random = secrets.SystemRandom()


def _facts(data: dict, site: Site) -> badges.CredentialFacts:
    return badges.CredentialFacts(
        code=data["code"],
        kind=data["kind"],
        programme_id=site.programme_id,
        programme_name=data["programme_name"],
        city=data["city"],
        hours=data["hours"],
        holder_name=data["holder_name"],
        identity_salt=data["identity_salt"],
        issued_at=data["issued_at"],
    )


def _embedded_credential(data: dict, credential: BadgeCredential) -> pdf.EmbeddedFile:
    return pdf.EmbeddedFile(
        name=f"{data['code']}.jwt",
        media_type="application/vc+jwt",
        content=credential.jwt.encode("ascii"),
        description="Open Badges 3.0 credential of this certificate, signed (VC-JWT)",
    )


def draw_indices(count: int) -> list[int]:
    """``count`` distinct random positions in a status list (candidates; some may be taken)."""
    return _random.sample(range(STATUS_LIST_SIZE), count)


def _open_list(session: Session, needed: int) -> int:
    """The status list that takes new credentials: the newest one, until it holds its capacity."""
    newest = session.scalar(sa.select(sa.func.max(BadgeCredential.status_list))) or 1
    used = session.scalar(sa.select(sa.func.count()).where(BadgeCredential.status_list == newest))
    return newest if used + needed <= STATUS_LIST_CAPACITY else newest + 1


def _free_indices(session: Session, status_list: int, count: int) -> list[int]:
    """``count`` random positions of the list that no stored credential holds (as far as this
    transaction sees: the unique constraint settles a race)."""
    free: list[int] = []
    for _attempt in range(MAX_DRAWS):
        candidates = [i for i in draw_indices(min(STATUS_LIST_SIZE, 2 * count + 8)) if i not in free]
        taken = set(
            session.scalars(
                sa.select(BadgeCredential.status_index).where(
                    BadgeCredential.status_list == status_list, BadgeCredential.status_index.in_(candidates)
                )
            )
        )
        free += [index for index in candidates if index not in taken]
        if len(free) >= count:
            return free[:count]
    raise RuntimeError(f"no {count} free bits found in status list {status_list}")


def _signed(facts: badges.CredentialFacts, status_list: int, index: int, key: issuer.IssuerKey) -> BadgeCredential:
    token = badges.sign_jwt(badges.credential(facts, status_list, index), key)
    return BadgeCredential(status_list=status_list, status_index=index, key_id=key.kid, jwt=token)


def sign_credentials(
    session: Session, facts: list[badges.CredentialFacts], certificate_ids: list[int] | None = None
) -> list[BadgeCredential]:
    """Sign an Open Badges credential for each of these certificates (as issued), each at a free
    random bit of the open status list, and add them to the session (flushed). ``certificate_ids``
    links them to existing certificates; without, the caller links them once stored.

    Two transactions signing at once never share a bit: the (list, index) pair is unique in the
    database, and a credential that loses the race is signed again at another bit. Raises
    ``Conflict`` when the certificate has a credential already (signed meanwhile elsewhere)."""
    if not facts:
        return []
    key = issuer.signing_key()
    status_list = _open_list(session, len(facts))
    free = _free_indices(session, status_list, len(facts))
    ids = certificate_ids or [None] * len(facts)
    rows = [_signed(f, status_list, free.pop(), key) for f in facts]
    for row, certificate_id in zip(rows, ids, strict=True):
        row.certificate_id = certificate_id
    try:
        with session.begin_nested():
            session.add_all(rows)
            session.flush()
        return rows
    except sa.exc.IntegrityError:
        pass  # some bit was taken meanwhile (or a credential made meanwhile): one by one
    return [_insert_one(session, f, status_list, key, owner) for f, owner in zip(facts, ids, strict=True)]


def _insert_one(
    session: Session, facts: badges.CredentialFacts, status_list: int, key: issuer.IssuerKey, certificate_id
) -> BadgeCredential:
    for _attempt in range(MAX_DRAWS):
        [index] = _free_indices(session, status_list, 1)
        row = _signed(facts, status_list, index, key)
        row.certificate_id = certificate_id
        try:
            with session.begin_nested():
                session.add(row)
                session.flush()
            return row
        except sa.exc.IntegrityError as err:
            if certificate_id is not None and session.scalar(
                sa.select(BadgeCredential.id).where(BadgeCredential.certificate_id == certificate_id)
            ):
                raise Conflict(_("This certificate's credential was signed meanwhile.")) from err
    raise RuntimeError(f"no free bit found in status list {status_list} after {MAX_DRAWS} draws")


def credential_of(session: Session, certificate: Certificate) -> BadgeCredential:
    """The certificate's signed credential. Certificates issued before credentials were signed
    get theirs now (their PDF stays as issued); when two requests do this at once, both answer
    with the one that was stored first."""
    if certificate.credential is not None:
        return certificate.credential
    try:
        [credential] = sign_credentials(session, [badges.CredentialFacts.of(certificate)], [certificate.id])
    except Conflict:
        session.expire(certificate, ["credential"])
        credential = session.scalar(sa.select(BadgeCredential).where(BadgeCredential.certificate_id == certificate.id))
    return credential


def data_integrity_of(session: Session, credential: BadgeCredential) -> str:
    """The credential secured with an embedded Data Integrity proof (JSON text), signed the first
    time it is asked for and kept: the same credential as the VC-JWT, in the other proof format
    OB 3.0 allows."""
    if credential.data_integrity is None:
        credential.data_integrity = badges.sign_data_integrity(credential.jwt, issuer.signing_key())
        session.flush()
    return credential.data_integrity
