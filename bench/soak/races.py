"""Pairs of conflicting decisions on one object, released together behind a barrier.

Each side opens its form first (as a person reads the page before clicking), then both
POST at the same instant, through different servers when there are two:
- a submitted complaint: one regulator accepts it, another refuses it;
- a pending registration: one regulator verifies it, another rejects it;
- one agency's fee for one service: two of its staff publish a change at once.
Of an exclusive pair (the first two) at most one may succeed; two fee changes may both
succeed only one after the other (the check reads the supersession chain).
"""

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass

from bench.soak.clients import Client, Meter
from bench.soak.ledger import MARKER, Entry, Ledger, Markers, Outcome

Prepared = Callable[[], Entry] | None


@dataclass
class RaceResult:
    kind: str
    exclusive: bool
    run: int = 0
    both: int = 0  # both sides acknowledged
    one: int = 0
    neither: int = 0
    errors: int = 0  # 5xx answers

    @property
    def double_successes(self) -> int:
        return self.both if self.exclusive else 0


class Races:
    def __init__(self, servers: list[str], meter: Meter, password: str, run_id: str):
        self.servers, self.meter, self.password = servers, meter, password
        self.markers = Markers(run_id, 9999)
        self.ledger = Ledger()
        self._clients: list[Client] = []

    def client(self, email: str, side: int) -> Client:
        client = Client(self.servers[side % len(self.servers)], email, self.password, self.meter)
        if not client.sign_in():
            raise SystemExit(f"races: {email} could not sign in")
        self._clients.append(client)
        return client

    def close(self) -> None:
        for client in self._clients:
            self.ledger.extend(client.ledger)
            client.close()

    # --- the kinds of race ------------------------------------------------------------------

    def complaints(self, filers: list[Client], regulators, codes: list[str], k: int):
        """File k complaints, then accept and refuse each one at once."""
        first, second = regulators
        ids = []
        for n in range(k):
            entry = _file_complaint(filers[n % len(filers)], codes[n % len(codes)], self.markers)
            if entry and entry.outcome == Outcome.ACKNOWLEDGED and entry.object_id:
                ids.append(entry.object_id)
        result = RaceResult("complaint: accept vs refuse", exclusive=True)
        for complaint in ids:
            path = f"/regulator/complaints/{complaint}"
            accept = _prepare(first, f"{path}/accept", "complaint.accepted", complaint)
            marker = self.markers.new()
            refuse = _prepare(
                second,
                f"{path}/refuse",
                "complaint.not_accepted",
                complaint,
                marker=marker,
                reason=f"不予受理。[{marker}]",
            )
            _tally(result, race(accept, refuse))
        return result

    def registrations(self, regulators, pending: list[int]):
        first, second = regulators
        result = RaceResult("registration: verify vs reject", exclusive=True)
        for agency in pending:
            path = f"/regulator/agencies/{agency}"
            verify = _prepare(first, f"{path}/verify", "agency.verified", agency)
            reject = _prepare(
                second, f"{path}/reject", "agency.rejected", agency, reason="材料不全，不予入驻。"
            )
            _tally(result, race(verify, reject))
        return result

    def fees(self, pairs: list[tuple[Client, Client]]):
        result = RaceResult("fee: two changes at once", exclusive=False)
        for staff, twin in pairs:
            _response, page = staff.get("/my/agency/fees")
            items = page.link_ids(r"/my/agency/fees\?item=(\d+)") if page else []
            if not items:
                continue
            sides = [self._fee_change(client, items[0]) for client in (staff, twin)]
            _tally(result, race(*sides))
        return result

    def _fee_change(self, client: Client, item: int) -> Prepared:
        _response, page = client.get("/my/agency/fees", item=item)
        form = page and page.form_to(r"/my/agency/fees(\?|$)")
        if not form or not form.values.get("basis"):
            return None
        marker = self.markers.new()
        basis = f"{MARKER.sub('', form.values['basis']).replace('[]', '').strip()} [{marker}]"
        return lambda: client.submit(form, "fee.published", marker=marker, basis=basis)


def race(first: Prepared, second: Prepared) -> list[Entry | None]:
    """Submit both prepared writes at the same instant, each from its own thread."""
    if first is None or second is None:
        return [None, None]
    barrier = threading.Barrier(2)
    results: list[Entry | None] = [None, None]

    def act(index: int, submit: Callable[[], Entry]) -> None:
        barrier.wait(timeout=60)
        results[index] = submit()

    threads = [threading.Thread(target=act, args=(i, s)) for i, s in enumerate((first, second))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def _prepare(client: Client, path: str, action: str, object_id: int, marker=None, **changes):
    """Open the form now; return the POST to send when the barrier opens (None: no form)."""
    response, page = client.get(path)
    form = page and response.status_code == 200 and page.form_to(re.escape(path) + "$")
    if not form:
        return None
    return lambda: client.submit(form, action, object_id=object_id, marker=marker, **changes)


def _file_complaint(client: Client, code: str, markers: Markers) -> Entry | None:
    path = f"/complaints/new/{code}"
    _response, page = client.get(path)
    form = page and page.form_to(re.escape(path) + "$")
    if not form:
        return None
    marker = markers.new()
    return client.submit(
        form,
        "complaint.filed",
        marker=marker,
        created=r"/complaints/(\d+)",
        category=form.choices("category")[0],
        text=f"竞争测试投诉。[{marker}]",
        confirm="y",
    )


def _tally(result: RaceResult, entries: list[Entry | None]) -> None:
    if None in entries:
        return
    result.run += 1
    acknowledged = sum(entry.outcome == Outcome.ACKNOWLEDGED for entry in entries)
    result.errors += sum(entry.outcome == Outcome.ERROR for entry in entries)
    if acknowledged == 2:
        result.both += 1
    elif acknowledged == 1:
        result.one += 1
    else:
        result.neither += 1
