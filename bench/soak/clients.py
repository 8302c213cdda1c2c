"""One simulated user: an HTTP session that signs in through /login, reads pages and posts
forms as a browser does (every hidden input it was given), times each request, and keeps a
ledger of the writes it attempted and what the server answered."""

import re
import threading
import time
from dataclasses import dataclass, field

import httpx

from bench.soak.ledger import Entry, Ledger, Outcome
from bench.soak.pages import Form, Page, parse


@dataclass
class Timing:
    """One request: when it started (monotonic), how long it took, what it was, its status.

    what: "read" (GET), "write" (a form's POST) or "sign-in" (the POST to /login, which
    checks a password hash and so costs more than any other write).
    """

    started: float
    seconds: float
    what: str
    status: int | None

    @property
    def write(self) -> bool:
        return self.what == "write"


@dataclass
class Meter:
    """Every client's timings and counts, shared (behind a lock) for the progress line."""

    timings: list[Timing] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, timing: Timing) -> None:
        with self.lock:
            self.timings.append(timing)

    def snapshot(self) -> list[Timing]:
        with self.lock:
            return list(self.timings)


class Client:
    """A signed-in user's browser session against one app server."""

    def __init__(self, base_url: str, email: str, password: str, meter: Meter, *, timeout=30.0):
        self.email, self.password, self.meter = email, password, meter
        self.http = httpx.Client(
            base_url=base_url,
            follow_redirects=False,
            timeout=timeout,
            headers={"Accept-Language": "en"},
        )
        self.ledger = Ledger()

    def close(self) -> None:
        self.http.close()

    # --- requests -------------------------------------------------------------------------

    def _send(self, method: str, url: str, *, what: str, **kwargs) -> httpx.Response:
        started = time.monotonic()
        status = None
        try:
            response = self.http.request(method, url, **kwargs)
            status = response.status_code
            return response
        finally:
            self.meter.add(Timing(started, time.monotonic() - started, what, status))

    def get(self, url: str, **params) -> tuple[httpx.Response, Page | None]:
        """A page, read as a browser would; a transport failure gives (None, None)."""
        try:
            response = self._send("GET", url, what="read", params=params or None)
        except httpx.TransportError:
            return None, None
        if "text/html" not in response.headers.get("content-type", ""):
            return response, None
        page = parse(response.text)
        for form in page.forms:
            if not form.action:  # a form without an action posts back to its page
                form.action = response.url.raw_path.decode()
        return response, page

    def sign_in(self, attempts: int = 2) -> bool:
        """Sign in through the login form; a try that gets no answer is made once more."""
        for _attempt in range(attempts):
            _response, page = self.get("/login")
            form = page and page.form_to(r"/login")
            if form is None:
                continue
            data = form.filled(email=self.email, password=self.password)
            try:
                answer = self._send("POST", "/login", what="sign-in", data=data)
            except httpx.TransportError:
                continue
            return answer.status_code in (302, 303) and "/login" not in answer.headers["location"]
        return False

    # --- writes ---------------------------------------------------------------------------

    def submit(
        self,
        form: Form,
        action: str,
        *,
        object_id: int | None = None,
        marker: str | None = None,
        created: str | None = None,
        **changes,
    ) -> Entry:
        """POST `form` with every field the page gave it and `changes`; record the outcome.

        created: a pattern (one group) that reads the created object's id from the redirect.
        A POST that gets no answer (connection error, timeout) is sent once more, unchanged.
        """
        data = form.filled(**changes)
        entry = Entry(self.email, action, Outcome.UNKNOWN, object_id=object_id, marker=marker)
        response = self._post(form, data)
        if response is None:
            entry.retried = True
            response = self._post(form, data)
        if response is not None:
            self._judge(entry, response, created)
        return self.ledger.add(entry)

    def _post(self, form: Form, data: dict) -> httpx.Response | None:
        # A browser sends each file input of a multipart form as an empty part.
        files = None
        if form.multipart:
            empty = ("", b"", "application/octet-stream")
            files = [(name, empty) for name in form.file_fields] or [("_", empty)]
        try:
            return self._send("POST", form.action, what="write", data=data, files=files)
        except httpx.TransportError:
            return None

    def _judge(self, entry: Entry, response: httpx.Response, created: str | None) -> None:
        entry.status = response.status_code
        if response.status_code >= 500:
            entry.outcome = Outcome.ERROR
            return
        if response.status_code in (301, 302, 303):
            location = response.headers.get("location", "")
            if created and entry.object_id is None:
                match = re.search(created, location)
                entry.object_id = int(match.group(1)) if match else None
            _answer, page = self.get(location)
            if page is None:
                entry.outcome, entry.message = Outcome.UNKNOWN, "the redirect's page did not load"
                return
            flashes = page.flashes
        else:
            page = (
                parse(response.text) if "html" in response.headers.get("content-type", "") else None
            )
            flashes = page.flashes if page else []
            if response.status_code >= 400 or (page and page.errors):
                entry.outcome = Outcome.REFUSED
                entry.message = "; ".join(page.errors if page else [])[:300]
                return
        categories = {category for category, _text in flashes}
        entry.message = "; ".join(text for _category, text in flashes)[:300]
        if categories & {"warning", "danger"} or not categories & {"success", "info"}:
            entry.outcome = Outcome.REFUSED
        else:
            entry.outcome = Outcome.ACKNOWLEDGED
