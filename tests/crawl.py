"""A breadth-first crawl of the app as one visitor, through Django's test client.

Used by tests/browser/test_crawl.py (every page as every demo account). It follows what the app
itself renders: links, and forms sent with GET (with the values they show). It never submits a
POST form, so it changes nothing a visitor could not change by reading.

Bounds keep it to minutes: at most `per_name` distinct URLs per url_name (2 ids of a person, a
list and one of its filters) and at most `max_pages` pages per visitor.
"""

from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import Resolver404, resolve

MAX_QUERIES = 30
# Never followed: leaving the session, files served as they are, the platform staff's admin.
SKIP_PREFIXES = ("/static/", "/media/", "/admin/", "/comptes/logout/")
LOGIN_PATH = "/comptes/login/"


@dataclass
class Page:
    account: str
    url: str
    url_name: str | None
    status: int
    queries: int
    content_type: str
    source: str | None  # the page whose link led here (None for a start page)


@dataclass
class Failure:
    account: str
    url: str
    reason: str
    source: str | None = None

    def __str__(self):
        came = f" (lien trouvé sur {self.source})" if self.source else ""
        return f"[{self.account}] {self.url}: {self.reason}{came}"


@dataclass
class CrawlResult:
    pages: list[Page] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)


class _Links(HTMLParser):
    """Every <a href> and every GET form (action + the query its fields would send as shown)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []
        self._form: dict | None = None
        self._select: tuple[str, list] | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.hrefs.append(a["href"])
        elif tag == "form":
            method = (a.get("method") or "get").lower()
            # A form posted by htmx (hx-post) is a write whatever its method attribute says.
            if method == "get" and not any(k in a for k in ("hx-post", "hx-put", "hx-delete", "hx-patch")):
                self._form = {"action": a.get("action") or "", "fields": []}
        elif self._form is not None:
            name = a.get("name")
            if tag == "input" and name and "disabled" not in a:
                kind = (a.get("type") or "text").lower()
                if kind in {"checkbox", "radio"}:
                    if "checked" in a:
                        self._form["fields"].append((name, a.get("value") or "on"))
                elif kind not in {"submit", "button", "image", "reset", "file"}:
                    self._form["fields"].append((name, a.get("value") or ""))
            elif tag == "select" and name and "disabled" not in a:
                self._select = (name, [])
            elif tag == "option" and self._select is not None:
                value = a.get("value", "")
                self._select[1].append((value, "selected" in a))
            elif tag == "textarea" and name:
                self._textarea = name
                self._form["fields"].append((name, ""))

    def handle_endtag(self, tag):
        if tag == "select" and self._select is not None and self._form is not None:
            name, options = self._select
            chosen = [v for v, selected in options if selected] or [v for v, _ in options[:1]]
            self._form["fields"].extend((name, v) for v in chosen[:1])
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "form" and self._form is not None:
            action, fields = self._form["action"], self._form["fields"]
            query = urlencode(fields)
            self.hrefs.append(action.split("?")[0] + ("?" + query if query else ""))
            self._form = None


def links_in(html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    parser.close()
    return parser.hrefs


def _site_hosts() -> set[str]:
    return {"testserver", urlsplit(settings.SITE_URL).netloc}


def internal_path(href: str, base: str) -> str | None:
    """The path?query an href points to inside the app, or None (external, mailto:, a fragment…)."""
    href = href.strip()
    if not href or href.startswith(("#", "mailto:", "tel:", "sms:", "javascript:", "data:")):
        return None
    parts = urlsplit(urljoin("http://testserver" + base, href))
    if parts.scheme not in {"http", "https"} or parts.netloc not in _site_hosts():
        return None
    query = urlencode(sorted(parse_qsl(parts.query, keep_blank_values=True)))
    return urlunsplit(("", "", parts.path, query, ""))


def url_name(path: str) -> str | None:
    try:
        return resolve(urlsplit(path).path).view_name
    except Resolver404:
        return None


def is_login_redirect(response) -> bool:
    return response.status_code in {301, 302, 303, 307, 308} and urlsplit(
        response.get("Location", "")
    ).path.startswith(LOGIN_PATH)


def crawl(
    client,
    account: str,
    start: list[str],
    *,
    anonymous: bool = False,
    max_pages: int = 60,
    per_name: int = 2,
    max_queries: int = MAX_QUERIES,
) -> CrawlResult:
    """Visit `start`, then every internal link found, breadth first, within the bounds."""
    result = CrawlResult()
    queue: deque[tuple[str, str | None]] = deque((url, None) for url in start)
    seen: set[str] = set(start)
    per_url_name: dict[str | None, int] = {}
    # Start pages are always visited: they are the public links the demo gives out.
    budget_free = set(start)

    def fail(url, reason, source):
        result.failures.append(Failure(account, url, reason, source))

    while queue and len(result.pages) < max_pages:
        url, source = queue.popleft()
        name = url_name(url)
        if url not in budget_free:
            if per_url_name.get(name, 0) >= per_name:
                continue
        per_url_name[name] = per_url_name.get(name, 0) + 1

        # The log keeps 9,000 queries at most: once full, its length stops growing and the
        # context would count 0. Start each page from an empty log.
        connection.queries_log.clear()
        try:
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url)
                # A streamed answer (export, file) runs its queries while it is read.
                body = b"".join(response.streaming_content) if response.streaming else response.content
        except Exception as exc:  # the test client re-raises the view's exception: a 500
            fail(url, f"500 : {type(exc).__name__}: {str(exc)[:200]}", source)
            result.pages.append(Page(account, url, name, 500, 0, "", source))
            continue
        content_type = response.get("Content-Type", "")
        page = Page(account, url, name, response.status_code, len(queries), content_type, source)
        result.pages.append(page)

        if len(queries) > max_queries:
            fail(url, f"{len(queries)} requêtes SQL (au plus {max_queries})", source)
        status = response.status_code
        if status >= 500:
            fail(url, f"{status}", source)
            continue
        if 300 <= status < 400:
            if is_login_redirect(response):
                # A link the app rendered must not send its reader to the login page: for an
                # account it means a refusal; for a visitor of a public page, a dead end.
                if not (anonymous and source and urlsplit(source).path.startswith("/comptes/")):
                    fail(url, "renvoie vers la page de connexion", source)
                continue
            target = internal_path(response.get("Location", ""), urlsplit(url).path)
            if target and target not in seen and not target.startswith(SKIP_PREFIXES):
                seen.add(target)
                queue.append((target, url))
            continue
        if status >= 400:
            fail(url, f"{status} sur un lien affiché par l'application", source)
            continue
        if "text/html" not in content_type:
            continue  # exports, PDF, images, ICS: they answered; nothing to follow in them
        for href in links_in(body.decode(response.charset or "utf-8", errors="replace")):
            target = internal_path(href, urlsplit(url).path)
            if target is None or target in seen or target.startswith(SKIP_PREFIXES):
                continue
            seen.add(target)
            queue.append((target, url))
    return result


def public_links(per_kind: int = 2) -> list[str]:
    """The no-account links the demo gives out, as paths: `per_kind` of each kind.

    Built with the app's own link helpers from the demo's data, as the screens and messages
    that hand them out do: referral forms and their poster and follow-up pages, booking links
    (for a person and for a referral), peer roll calls, programme registrations, partners'
    answers to an orientation, and the public directory.
    """
    from django.urls import reverse
    from django.utils import timezone

    from jalon.agenda.links import booking_url
    from jalon.programmes.links import registration_url, roll_call_url
    from jalon.programmes.models import Invitation, Trainer
    from jalon.referrals import links
    from jalon.referrals.models import Orientation, OrientationStatus, Referral, ReferralStatus, Referrer

    urls = [reverse("public_services")]
    referrers = Referrer.objects.filter(is_active=True, link_revoked_at__isnull=True).order_by("pk")
    for referrer in referrers[:per_kind]:
        urls += [
            links.referral_url(referrer),
            links.referral_url(referrer, self_referral=True),
            links.follow_up_url(referrer),
        ]
    # Links the app would hand out today: a referral still open, a session still to come.
    referrals = (
        Referral.objects.filter(person__isnull=True)
        .exclude(status=ReferralStatus.CLOSED)
        .select_related("structure")
        .order_by("pk")
    )
    for referral in referrals[:per_kind]:
        urls.append(booking_url(structure=referral.structure, referral=referral))
    people = {r.structure_id for r in referrals[:per_kind]}
    for referral in Referral.objects.filter(person__isnull=False, structure_id__in=people).select_related(
        "person", "structure"
    )[:per_kind]:
        urls.append(booking_url(structure=referral.structure, person=referral.person))
    peers = Trainer.objects.filter(person__isnull=False).select_related("session", "person").order_by("pk")
    for trainer in peers[:per_kind]:
        urls.append(roll_call_url(session=trainer.session, peer=trainer.person))
    invitations = Invitation.objects.filter(session__starts_on__gte=timezone.localdate()).order_by("pk")
    for invitation in invitations[:per_kind]:
        urls.append(registration_url(invitation))
    proposed = Orientation.objects.filter(status=OrientationStatus.PROPOSED).order_by("pk")
    for orientation in proposed[:per_kind]:
        urls.append(links.orientation_answer_url(orientation))
    return [internal_path(url, "/") for url in urls]
