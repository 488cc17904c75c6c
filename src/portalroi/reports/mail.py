"""E-mail with attachments over SMTP (stdlib ``smtplib``), configured by the ``smtp_*`` settings.

Examples
--------
>>> SmtpConfig.from_settings(Settings(smtp_host="mail.example", smtp_port=587)).port
587
"""

from __future__ import annotations

import re
import smtplib
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage

from portalroi.errors import ConfigError
from portalroi.settings import Settings

__all__ = ["ONE_LINE", "Attachment", "SmtpConfig", "send_mail"]

#: Pattern of text that may go into a mail header (a subject): one line, no control characters.
#: Names that become subjects (alert rules, report schedules) are validated with it.
ONE_LINE = r"^[^\x00-\x1f\x7f]+$"
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")

_MIME = {
    "pdf": ("application", "pdf"),
    "xlsx": ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}


@dataclass(frozen=True)
class SmtpConfig:
    """Where and how to send mail (from the ``smtp_*`` settings)."""

    host: str | None
    port: int = 25
    user: str | None = None
    password: str | None = None
    sender: str = "portalroi@localhost"
    starttls: bool = False
    ca_file: str | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> SmtpConfig:
        """The SMTP part of ``settings``."""
        return cls(
            settings.smtp_host,
            settings.smtp_port,
            settings.smtp_user,
            settings.smtp_password,
            settings.smtp_from,
            settings.smtp_starttls,
            None if settings.smtp_ca_file is None else str(settings.smtp_ca_file),
        )


@dataclass(frozen=True)
class Attachment:
    """One attached file."""

    filename: str
    content: bytes


def send_mail(
    smtp: SmtpConfig,
    recipients: Sequence[str],
    subject: str,
    body: str,
    attachments: Sequence[Attachment],
) -> None:
    """Send one e-mail with ``attachments`` to every recipient (stdlib ``smtplib``).

    The subject is sent on one line: a line break or other control character in it (an id
    from the data, say) becomes a space, since a header with one is refused (``ValueError``)
    and could otherwise add headers. Raises :class:`~portalroi.errors.ConfigError` when no SMTP
    host is set, and whatever ``smtplib`` raises (``OSError`` subclasses) when the server
    refuses or cannot be reached.

    Examples
    --------
    >>> try:
    ...     send_mail(SmtpConfig(None), ["cfo@example.com"], "Report", "Attached.", [])
    ... except ConfigError as exc:
    ...     print(str(exc)[:20])
    smtp_host is not set
    """
    if not smtp.host:
        raise ConfigError("smtp_host is not set (PORTALROI_SMTP_HOST); cannot send reports")
    msg = EmailMessage()
    msg["Subject"] = _CONTROL.sub(" ", subject)
    msg["From"] = smtp.sender
    msg["To"] = ", ".join(recipients)
    msg.set_content(body)
    for a in attachments:
        maintype, subtype = _MIME[a.filename.rsplit(".", 1)[-1]]
        msg.add_attachment(a.content, maintype=maintype, subtype=subtype, filename=a.filename)
    with smtplib.SMTP(smtp.host, smtp.port, timeout=30) as client:
        if smtp.starttls:
            # smtplib's default context checks neither the certificate nor the host name.
            client.starttls(context=ssl.create_default_context(cafile=smtp.ca_file))
        if smtp.user:
            client.login(smtp.user, smtp.password or "")
        client.send_message(msg, to_addrs=list(recipients))
