"""How alerts reach people: a delivery (one message: its id, the alert, its articles), sent as a JSON webhook POST
or an e-mail digest over SMTP, with retries and exponential backoff for a bounded time.

Standard library only (urllib, smtplib, email). A delivery's id and its articles' ids never change once recorded
(indexer/alerts.py stores it before sending), so a receiver that sees a delivery twice, after a crash between
sending and recording, can tell: webhooks carry both in the body and the id in an `Idempotency-Key` header;
e-mails carry it as their Message-ID and in `X-Newsarchive-Delivery`.
"""

from __future__ import annotations

import html
import ipaddress
import json
import re
import smtplib
import ssl
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any, Protocol
from urllib.parse import urlsplit

from . import __version__
from .errors import NewsArchiveError
from .records import Article
from .settings import SMTP_FROM, SMTP_HOST, SMTP_PORT, SMTP_SETTINGS, SMTP_TLS, SettingError, read_settings

KINDS = ("webhook", "email")
TLS_MODES = {"none": 25, "starttls": 587, "ssl": 465}  # and each one's usual port
_ADDRESS = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*")
_WEB = ("http://", "https://")


class DeliveryError(NewsArchiveError):
    """A receiver did not accept a delivery; retryable: trying again later may succeed (5xx, 429, no answer)."""

    def __init__(self, message: str, retryable: bool = True) -> None:
        super().__init__(message)
        self.retryable = retryable


class TargetError(NewsArchiveError, ValueError):
    """An alert's webhook URL or e-mail address cannot be used; the message says why."""


def check_target(kind: str, target: str) -> str:
    """Return a webhook URL or e-mail address, stripped, or raise TargetError saying what is wrong with it."""
    target = target.strip()
    if kind == "webhook":
        parts = urlsplit(target)
        if parts.scheme not in ("http", "https") or not parts.hostname or any(c.isspace() for c in target):
            raise TargetError(f"the webhook must be an http:// or https:// URL with a host, not {target[:200]!r}")
        return target
    if kind == "email":
        if not _ADDRESS.fullmatch(target):
            raise TargetError(f"the e-mail address must be a plain address such as news@example.org (no name, "
                              f"one address), not {target[:200]!r}")
        return target
    raise TargetError(f"unknown kind of alert {kind!r}: choose one of {', '.join(KINDS)}")


@dataclass(frozen=True)
class AlertArticle:
    """What a delivery says of an article: enough to recognise it and open it."""

    id: str
    headline: str
    date: str | None  # ISO 8601, as stored
    source: str
    url: str | None  # its original address, when it has one
    page: str | None  # its page on this archive (NEWSARCHIVE_BASE_URL set), else None
    story: str

    @classmethod
    def of(cls, article: Article, page_url: Callable[[str], str] | None) -> AlertArticle:
        """Return what a delivery carries of an article (page_url: article id -> its page here, if served)."""
        return cls(article.id, article.headline, article.date.isoformat() if article.date else None, article.source,
                   article.url or None, page_url(article.id) if page_url else None, article.story)


@dataclass(frozen=True)
class Delivery:
    """One message of an alert: recorded before it is sent, never changed, and sent again until accepted."""

    id: str
    alert: str
    search: str  # the alert's search, canonical (indexer.request.canonical_search)
    created: datetime
    articles: tuple[AlertArticle, ...]

    def to_dict(self) -> dict[str, Any]:
        """Return the webhook's JSON body (also what the alert store keeps)."""
        return {"alert": self.alert, "delivery": self.id, "created": self.created.isoformat(),
                "search": self.search, "count": len(self.articles),
                "article_ids": [a.id for a in self.articles], "articles": [asdict(a) for a in self.articles]}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Delivery:
        """Return the delivery of a to_dict() document."""
        return cls(data["delivery"], data["alert"], data["search"], datetime.fromisoformat(data["created"]),
                   tuple(AlertArticle(**a) for a in data["articles"]))


class Sender(Protocol):
    """Sends one delivery, once: returns when the receiver accepted it, else raises DeliveryError."""

    def send(self, delivery: Delivery, timeout: float) -> None:
        """Send the delivery; timeout: seconds the receiver has to answer."""
        ...


@dataclass(frozen=True)
class Retry:
    """How long to keep trying a receiver that fails: waits of first_delay, doubling, within `seconds` in all."""

    seconds: float = 60.0  # the most one delivery takes, tries and waits together (0: one try)
    first_delay: float = 1.0
    factor: float = 2.0
    timeout: float = 10.0  # seconds a receiver has to answer one try


def deliver(sender: Sender, delivery: Delivery, retry: Retry, sleep: Callable[[float], None] = time.sleep,
            clock: Callable[[], float] = time.monotonic) -> int:
    """Send a delivery until it is accepted, retrying with exponential backoff; return the tries it took.

    Raises the last DeliveryError when the receiver refuses it for good (a 4xx, a rejected address) or the time
    is up: what it carries is then still to be delivered.
    """
    deadline, delay, tries = clock() + retry.seconds, retry.first_delay, 0
    while True:
        tries += 1
        try:
            sender.send(delivery, max(0.5, min(retry.timeout, deadline - clock())))
            return tries
        except DeliveryError as err:
            if not err.retryable or clock() + delay > deadline:
                raise DeliveryError(f"{err} (after {tries} {'try' if tries == 1 else 'tries'})",
                                    err.retryable) from err
        sleep(delay)
        delay *= retry.factor


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirected POST would arrive as a GET without its body: a redirect is a failure that names the place."""

    def redirect_request(self, req: urllib.request.Request, fp: Any, code: int, msg: str, headers: Any,
                         newurl: str) -> None:
        fp.close()
        raise DeliveryError(f"the webhook redirected ({code}) to {newurl}: give that URL instead", retryable=False)


_OPENER = urllib.request.build_opener(_NoRedirects)


@dataclass(frozen=True)
class WebhookSender:
    """POSTs a delivery's JSON (to_dict) to a URL; any 2xx answer is acceptance."""

    url: str

    def send(self, delivery: Delivery, timeout: float) -> None:
        """POST the delivery; raise DeliveryError (retryable for no answer, 408, 429 and 5xx)."""
        body = json.dumps(delivery.to_dict(), ensure_ascii=False).encode("utf-8")
        request = urllib.request.Request(self.url, data=body, method="POST", headers={
            "Content-Type": "application/json; charset=utf-8", "User-Agent": f"newsarchive/{__version__}",
            "Idempotency-Key": delivery.id})
        try:
            with _OPENER.open(request, timeout=timeout) as response:
                response.read()
        except urllib.error.HTTPError as err:
            err.close()
            raise DeliveryError(f"the webhook answered {err.code} {err.reason}",
                                retryable=err.code in (408, 429) or err.code >= 500) from None
        except (urllib.error.URLError, OSError) as err:
            reason = getattr(err, "reason", err)
            raise DeliveryError(f"the webhook could not be reached: {reason}") from None


@dataclass(frozen=True)
class SmtpConfig:
    """The SMTP server e-mail alerts go through (NEWSARCHIVE_SMTP_*)."""

    host: str
    port: int
    tls: str
    user: str
    password: str
    sender: str


def smtp_config(environ: Mapping[str, str] | None = None) -> SmtpConfig:
    """Return the SMTP settings, or raise SettingError naming the variable to set or fix."""
    values = read_settings(SMTP_SETTINGS, environ)
    if not values["SMTP_HOST"]:
        raise SettingError(f"{SMTP_HOST.env} is not set: e-mail alerts need an SMTP server")
    if values["SMTP_TLS"] not in TLS_MODES:
        raise SettingError(f"{SMTP_TLS.env} must be one of {', '.join(TLS_MODES)}, not {values['SMTP_TLS']!r}")
    if not _ADDRESS.fullmatch(values["SMTP_FROM"]):
        raise SettingError(f"{SMTP_FROM.env} must be the address digests are sent from (news@example.org), "
                           f"not {values['SMTP_FROM']!r}")
    if not 0 <= values["SMTP_PORT"] <= 65535:
        raise SettingError(f"{SMTP_PORT.env} must be a port number (0: the TLS mode's), not {values['SMTP_PORT']}")
    config = SmtpConfig(values["SMTP_HOST"], values["SMTP_PORT"] or TLS_MODES[values["SMTP_TLS"]],
                        values["SMTP_TLS"], values["SMTP_USER"], values["SMTP_PASSWORD"], values["SMTP_FROM"])
    if config.tls == "none" and config.password and not _loopback(config.host):
        raise SettingError(f"{SMTP_TLS.env}=none would send the SMTP password unencrypted to {config.host}: "
                           "use starttls or ssl (none is for a relay on this machine)")
    return config


def _loopback(host: str) -> bool:
    try:
        return host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class EmailSender:
    """Sends a delivery as one e-mail digest (plain text and HTML) to an address."""

    config: SmtpConfig
    to: str

    def send(self, delivery: Delivery, timeout: float) -> None:
        """Send the digest; raise DeliveryError (retryable unless the server refused it with a 5xx)."""
        message = digest(delivery, self.config.sender, self.to)
        try:
            with self._connect(timeout) as smtp:
                if self.config.user:
                    smtp.login(self.config.user, self.config.password)
                smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as err:
            codes = [code for code, _ in err.recipients.values()]
            raise DeliveryError(f"the SMTP server refused {self.to}: {codes}",
                                retryable=all(400 <= c < 500 for c in codes)) from None
        except smtplib.SMTPResponseException as err:
            said = err.smtp_error.decode("utf-8", "replace") if isinstance(err.smtp_error, bytes) else err.smtp_error
            raise DeliveryError(f"the SMTP server answered {err.smtp_code} {said}",
                                retryable=not 500 <= err.smtp_code < 600) from None
        except (smtplib.SMTPException, OSError) as err:
            raise DeliveryError(f"the SMTP server {self.config.host}:{self.config.port} could not take it: "
                                f"{err or type(err).__name__}") from None

    def _connect(self, timeout: float) -> smtplib.SMTP:
        host, port, context = self.config.host, self.config.port, ssl.create_default_context()
        if self.config.tls == "ssl":
            return smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
        smtp = smtplib.SMTP(host, port, timeout=timeout)
        if self.config.tls == "starttls":
            try:
                smtp.starttls(context=context)
            except BaseException:
                smtp.close()
                raise
        return smtp


def digest(delivery: Delivery, sender: str, to: str) -> EmailMessage:
    """Return the e-mail of a delivery: Subject with the alert and count, plain text and escaped HTML."""
    count = len(delivery.articles)
    message = EmailMessage()
    message["Subject"] = f"[newsarchive] {delivery.alert}: {count} new article{'s' if count != 1 else ''}"
    message["From"], message["To"] = sender, to
    message["Date"] = format_datetime(delivery.created.astimezone(UTC))
    message["Message-ID"] = f"<{delivery.id}@newsarchive>"  # the same on a re-send: mail clients show it once
    message["X-Newsarchive-Delivery"] = delivery.id
    message.set_content(_digest_text(delivery))
    message.add_alternative(_digest_html(delivery), subtype="html")
    return message


def _intro(delivery: Delivery) -> str:
    count = len(delivery.articles)
    search = delivery.search or "every article"
    return f"{count} new article{'s' if count != 1 else ''} for the alert {delivery.alert} (search: {search})."


def _text_line(article: AlertArticle) -> str:
    return " · ".join(filter(None, ((article.date or "undated")[:10], article.source, article.id)))


def _digest_text(delivery: Delivery) -> str:
    lines = [_intro(delivery), ""]
    for number, article in enumerate(delivery.articles, start=1):
        lines += [f"{number}. {article.headline or '(untitled)'}", f"   {_text_line(article)}"]
        lines += [f"   {link}" for link in (article.page or article.url,) if link]
        lines.append("")
    lines.append(f"Delivery {delivery.id}.")
    return "\n".join(lines) + "\n"


def _digest_html(delivery: Delivery) -> str:
    items = []
    for article in delivery.articles:
        headline = html.escape(article.headline or "(untitled)")
        link = next((u for u in (article.page, article.url) if u and u.lower().startswith(_WEB)), None)
        title = f'<a href="{html.escape(link, quote=True)}">{headline}</a>' if link else headline
        items.append(f"<li>{title}<br><small>{html.escape(_text_line(article))}</small></li>")
    return (f"<!DOCTYPE html><html><body><p>{html.escape(_intro(delivery))}</p><ol>{''.join(items)}</ol>"
            f"<p><small>Delivery {html.escape(delivery.id)}.</small></p></body></html>\n")
