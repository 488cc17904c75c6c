"""Scheduled-report mail over STARTTLS with login, against a real local SMTP server.

aiosmtpd listens on 127.0.0.1 with a certificate made for this test by the ``openssl`` command
(self-signed, for ``127.0.0.1``), requires STARTTLS and accepts one user. The reports' sender
(:func:`portalroi.reports.mail.send_mail`) must upgrade, verify the certificate, log in and
deliver; it must refuse a server whose certificate it cannot verify, and a wrong password.
"""

from __future__ import annotations

import shutil
import smtplib
import socket
import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from portalroi.reports.mail import Attachment, SmtpConfig, send_mail
from portalroi.settings import Settings
from smtp_inbox import Inbox

USER, PASSWORD = "reports", "s3cret-pass"


def _authenticator(
    server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
) -> AuthResult:
    ok = (
        isinstance(auth_data, LoginPassword)
        and auth_data.login == USER.encode()
        and auth_data.password == PASSWORD.encode()
    )
    return AuthResult(success=ok, handled=False)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def cert(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    openssl = shutil.which("openssl")
    assert openssl, "the openssl command is needed to make the test certificate"
    d = tmp_path_factory.mktemp("tls")
    key, crt = d / "key.pem", d / "cert.pem"
    subprocess.run(
        [
            openssl,
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(crt),
        ],
        check=True,
        capture_output=True,
    )
    return crt, key


@pytest.fixture
def tls_server(cert: tuple[Path, Path]) -> Iterator[tuple[Inbox, int]]:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(str(cert[0]), str(cert[1]))
    inbox = Inbox()
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=_free_port(),
        tls_context=context,
        require_starttls=True,
        authenticator=_authenticator,
        auth_required=True,
    )
    controller.start()
    try:
        yield inbox, controller.port
    finally:
        controller.stop()


def _config(port: int, ca: Path | None, password: str = PASSWORD) -> SmtpConfig:
    settings = Settings(
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_user=USER,
        smtp_password=password,
        smtp_from="reports@vendor.example",
        smtp_starttls=True,
        smtp_ca_file=ca,
    )
    return SmtpConfig.from_settings(settings)


def test_report_is_sent_over_starttls_after_login(
    tls_server: tuple[Inbox, int], cert: tuple[Path, Path]
) -> None:
    inbox, port = tls_server
    pdf = b"%PDF-1.4 report"
    send_mail(
        _config(port, cert[0]),
        ["cfo@customer.example"],
        "Portal value, March",
        "Attached.",
        [Attachment("leadership.pdf", pdf)],
    )
    assert len(inbox.received) == 1
    rcpts, msg = inbox.received[0]
    assert rcpts == ["cfo@customer.example"]
    assert msg["Subject"] == "Portal value, March"
    parts = [p for p in msg.walk() if p.get_filename() == "leadership.pdf"]
    assert [p.get_payload(decode=True) for p in parts] == [pdf]


def test_untrusted_certificate_is_refused(tls_server: tuple[Inbox, int]) -> None:
    inbox, port = tls_server
    # No CA file: the system's authorities do not know the self-signed certificate.
    with pytest.raises(ssl.SSLCertVerificationError):
        send_mail(_config(port, None), ["cfo@customer.example"], "s", "b", [])
    assert inbox.received == []


def test_wrong_password_is_refused(tls_server: tuple[Inbox, int], cert: tuple[Path, Path]) -> None:
    inbox, port = tls_server
    with pytest.raises(smtplib.SMTPAuthenticationError):
        send_mail(_config(port, cert[0], "wrong"), ["cfo@customer.example"], "s", "b", [])
    assert inbox.received == []


def test_server_refuses_mail_without_starttls(tls_server: tuple[Inbox, int]) -> None:
    # The server side of the test is strict: a sender that skipped STARTTLS would not get
    # through, so the deliveries above really went over TLS.
    inbox, port = tls_server
    plain = SmtpConfig("127.0.0.1", port, USER, PASSWORD, "reports@vendor.example", False)
    with pytest.raises(smtplib.SMTPException):
        send_mail(plain, ["cfo@customer.example"], "s", "b", [])
    assert inbox.received == []
