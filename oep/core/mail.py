"""Outgoing mail.

``send_mail`` queues a message on the current database session; it leaves only when that
session commits, so that nobody is told of a change that was rolled back. In development the
"outbox" backend writes each message to ``instance/outbox/`` as an ``.eml`` file and logs it,
so a person can follow every notification; in production the "smtp" backend sends it.
"""

from __future__ import annotations

import logging
import smtplib
import uuid
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from flask import current_app, render_template
from sqlalchemy import event
from sqlalchemy.orm import Session

from oep.core.db import utcnow
from oep.core.i18n import in_language

log = logging.getLogger(__name__)

_PENDING = "oep_pending_mail"


@dataclass
class Attachment:
    filename: str
    content: bytes
    mimetype: str = "application/octet-stream"


@dataclass
class OutgoingMail:
    to: str
    subject: str
    body: str
    attachments: list[Attachment] = field(default_factory=list)
    config: dict = field(default_factory=dict, repr=False)

    def as_message(self) -> EmailMessage:
        msg = EmailMessage()
        msg["From"] = self.config["MAIL_SENDER"]
        msg["To"] = self.to
        msg["Subject"] = self.subject
        msg["Date"] = formatdate(localtime=False)
        msg["Message-ID"] = make_msgid(domain="oep")
        msg.set_content(self.body)
        for a in self.attachments:
            maintype, _, subtype = a.mimetype.partition("/")
            msg.add_attachment(a.content, maintype=maintype, subtype=subtype, filename=a.filename)
        return msg


def send_mail(session: Session, to: str, subject: str, body: str, attachments=()) -> OutgoingMail:
    """Queue a message on ``session``; it is delivered after the session commits."""
    mail = OutgoingMail(
        to=to,
        subject=subject,
        body=body,
        attachments=list(attachments),
        config={k: v for k, v in current_app.config.items() if k.startswith("MAIL_")},
    )
    session.info.setdefault(_PENDING, []).append(mail)
    return mail


def send_template(session: Session, to: str, template: str, locale: str | None = None, **context):
    """Render ``mail/<template>.txt`` in the recipient's language and queue it.

    The template's first line is ``Subject: ...``; the rest is the body.
    """
    with in_language(locale):
        text = render_template(f"mail/{template}.txt", **context)
    first, _, body = text.lstrip().partition("\n")
    subject = first.removeprefix("Subject:").strip()
    return send_mail(session, to, subject, body.lstrip("\n"))


def deliver(mail: OutgoingMail) -> None:
    cfg = mail.config
    msg = mail.as_message()
    if cfg["MAIL_BACKEND"] == "outbox":
        outbox = Path(cfg["MAIL_OUTBOX_DIR"])
        outbox.mkdir(parents=True, exist_ok=True)
        path = outbox / f"{utcnow():%Y%m%dT%H%M%S%f}-{uuid.uuid4().hex[:8]}.eml"
        path.write_bytes(bytes(msg))
        log.info("Mail to %s: %s (written to %s)", mail.to, mail.subject, path)
    elif cfg["MAIL_BACKEND"] == "smtp":
        smtp_cls = smtplib.SMTP_SSL if cfg["MAIL_USE_SSL"] else smtplib.SMTP
        with smtp_cls(cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=30) as smtp:
            if cfg["MAIL_USE_TLS"]:
                smtp.starttls()
            if cfg["MAIL_USERNAME"]:
                smtp.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"])
            smtp.send_message(msg)
        log.info("Mail to %s: %s (sent by SMTP)", mail.to, mail.subject)
    elif cfg["MAIL_BACKEND"] == "null":
        log.info("Mail to %s: %s (discarded)", mail.to, mail.subject)
    else:
        raise RuntimeError(f"Unknown MAIL_BACKEND {cfg['MAIL_BACKEND']!r}")


@event.listens_for(Session, "after_commit")
def _deliver_pending(session: Session) -> None:
    pending = session.info.pop(_PENDING, [])
    for mail in pending:
        try:
            deliver(mail)
        except Exception:  # a mail server being down must not undo a committed change
            log.exception("Could not deliver mail to %s: %s", mail.to, mail.subject)


@event.listens_for(Session, "after_rollback")
def _drop_pending(session: Session) -> None:
    session.info.pop(_PENDING, None)
