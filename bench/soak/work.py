"""What each kind of user does during the soak, through the pages a person would open.

Enterprises record engagements with the soak's agencies, confirm deliveries, review the
work and file complaints; agencies confirm and deliver engagements, answer complaints and
publish, change or withdraw fees; regulators accept or refuse complaints and record
inspections. Everyone also reads: the search, agency profiles, their own lists. Each write
goes into the client's ledger (clients.Client.submit) with its marker or its object.
"""

import random
import re
from dataclasses import dataclass, field

from bench.soak.clients import Client
from bench.soak.ledger import MARKER, Markers

SEARCH_WORDS = ("测绘", "环评", "评估", "设计", "咨询", "安全", "江阴", "cs", "hp", "91320281")


@dataclass
class World:
    """What setup made that the clients need: the soak's agencies and others to read."""

    soak_agencies: list[tuple[int, str]]  # (id, credit code) of agencies with soak staff
    other_agencies: list[tuple[int, str]]  # active agencies to read, inspect, complain about


@dataclass
class Worker:
    """A client and the role's loop: each step picks one action by weight."""

    client: Client
    world: World
    markers: Markers
    rng: random.Random
    remembered_fees: list[dict] = field(default_factory=list)
    signed_in: bool = False
    failures: list[str] = field(default_factory=list)  # the soak's own bugs, not the app's

    def actions(self) -> list[tuple[float, object]]:
        raise NotImplementedError

    def step(self) -> None:
        weights, actions = zip(*self.actions(), strict=True)
        self.rng.choices(actions, weights)[0]()

    # --- shared reads ---------------------------------------------------------------------

    def read_public(self) -> None:
        if self.rng.random() < 0.5:
            self.client.get("/", q=self.rng.choice(SEARCH_WORDS))
        else:
            _id, code = self.rng.choice(self.world.other_agencies + self.world.soak_agencies)
            self.client.get(f"/agencies/{code}")

    def open_confirmation(self, path: str):
        """The confirmation form of one step, if the page offers it now."""
        response, page = self.client.get(path)
        if page is None or response.status_code != 200:
            return None
        return page.form_to(re.escape(path) + "$")

    def note(self, text: str = "") -> tuple[str, str]:
        marker = self.markers.new()
        return marker, f"{text} [{marker}]".strip()


class EnterpriseWorker(Worker):
    def actions(self):
        return [
            (3, self.read_public),
            (1, self.read_own),
            (2, self.record_engagement),
            (2, self.confirm_delivery),
            (2, self.write_review),
            (1, self.file_complaint),
        ]

    def read_own(self) -> None:
        self.client.get("/my/enterprise/engagements")
        self.client.get("/my/complaints")

    def record_engagement(self) -> None:
        _id, code = self.rng.choice(self.world.soak_agencies)
        _response, page = self.client.get("/my/enterprise/engagements/new", agency=code)
        form = page and page.form_to(r"/my/enterprise/engagements/new")
        if form is None or not form.choices("service_item"):
            return
        marker, project = self.note("浸泡测试项目")
        self.client.submit(
            form,
            "engagement.recorded",
            marker=marker,
            created=r"/engagements/(\d+)",
            service_item=self.rng.choice(form.choices("service_item")),
            agreed_fee=f"{self.rng.randint(5, 30) * 100}.00",
            project=project,
        )

    def confirm_delivery(self) -> None:
        _response, page = self.client.get("/my/enterprise/engagements", status="delivered")
        ids = page.link_ids(r"^/engagements/(\d+)$") if page else []
        if not ids:
            return
        engagement = self.rng.choice(ids)
        form = self.open_confirmation(f"/engagements/{engagement}/confirm")
        if form is not None:
            self.client.submit(form, "engagement.confirmed", object_id=engagement)

    def write_review(self) -> None:
        _response, page = self.client.get("/my/enterprise/engagements", status="confirmed")
        ids = page.link_ids(r"^/engagements/(\d+)$") if page else []
        if not ids:
            return
        engagement = self.rng.choice(ids)
        path = f"/engagements/{engagement}/review"
        _response, shown = self.client.get(f"/engagements/{engagement}")
        if shown is None or path not in shown.links:
            return
        _response, page = self.client.get(path)
        form = page and page.form_to(re.escape(path) + "$")
        if not form:
            return
        marker, text = self.note("按时交付，收费与公示一致。")
        scores = {name: self.rng.choice("345") for name in ("quality", "timeliness", "conduct")}
        self.client.submit(
            form,
            "review.written",
            marker=marker,
            object_id=engagement,
            fee_compliance=self.rng.choice("45"),
            text=text,
            **scores,
        )

    def file_complaint(self) -> None:
        _id, code = self.rng.choice(self.world.soak_agencies)
        path = f"/complaints/new/{code}"
        _response, page = self.client.get(path)
        form = page and page.form_to(re.escape(path) + "$")
        if not form:
            return
        marker, text = self.note("办理超时，且收费高于公示标准。")
        self.client.submit(
            form,
            "complaint.filed",
            marker=marker,
            created=r"/complaints/(\d+)",
            category=self.rng.choice(form.choices("category")),
            text=text,
            confirm="y",
        )


class AgencyWorker(Worker):
    def actions(self):
        return [
            (2, self.read_public),
            (3, self.accept_engagement),
            (3, self.deliver),
            (1, self.respond_to_complaint),
            (1, self.change_fee),
            (0.3, self.withdraw_fee),
            (0.3, self.republish_fee),
        ]

    def _step_on(self, status: str, step: str, action: str) -> None:
        _response, page = self.client.get("/my/agency/engagements", status=status)
        ids = page.link_ids(r"^/engagements/(\d+)$") if page else []
        if not ids:
            return
        engagement = self.rng.choice(ids)
        form = self.open_confirmation(f"/engagements/{engagement}/{step}")
        if form is not None:
            self.client.submit(form, action, object_id=engagement)

    def accept_engagement(self) -> None:
        self._step_on("awaiting_agency", "accept", "engagement.accepted")

    def deliver(self) -> None:
        self._step_on("open", "deliver", "engagement.delivered")

    def respond_to_complaint(self) -> None:
        _response, page = self.client.get("/my/agency/complaints")
        ids = page.link_ids(r"^/complaints/(\d+)$") if page else []
        for complaint in self.rng.sample(ids, min(3, len(ids))):
            _response, shown = self.client.get(f"/complaints/{complaint}")
            path = f"/complaints/{complaint}/respond"
            if shown is None or path not in shown.links:
                continue
            _response, page = self.client.get(path)
            form = page and page.form_to(re.escape(path) + "$")
            if form:
                marker, text = self.note("我司已按合同约定完成工作，相关材料见附件。")
                self.client.submit(
                    form, "complaint.responded", object_id=complaint, marker=marker, text=text
                )
            return

    def _offers(self) -> tuple[object, list[int]]:
        _response, page = self.client.get("/my/agency/fees")
        return page, (page.link_ids(r"/my/agency/fees\?item=(\d+)") if page else [])

    def change_fee(self) -> None:
        _page, items = self._offers()
        if not items:
            return
        item = self.rng.choice(items)
        _response, page = self.client.get("/my/agency/fees", item=item)
        form = page and page.form_to(r"/my/agency/fees(\?|$)")
        if not form or not form.values.get("basis"):
            return
        marker, basis = self.note(MARKER.sub("", form.values["basis"]).replace("[]", "").strip())
        self.client.submit(form, "fee.published", marker=marker, basis=basis)

    def withdraw_fee(self) -> None:
        page, items = self._offers()
        if len(items) < 2:  # keep something on offer for the enterprises
            return
        item = self.rng.choice(items)
        _response, filled = self.client.get("/my/agency/fees", item=item)
        form = filled and filled.form_to(r"/my/agency/fees(\?|$)")
        withdraw = [f for f in page.forms if re.search(r"/fees/(\d+)/withdraw", f.action)]
        if not form or not withdraw:
            return
        # The offer's withdraw form is the one beside its "Change" link, in the same order.
        chosen = withdraw[items.index(item)] if len(withdraw) == len(items) else None
        if chosen is None:
            return
        schedule = int(re.search(r"/fees/(\d+)/withdraw", chosen.action).group(1))
        entry = self.client.submit(chosen, "fee.withdrawn", object_id=schedule)
        if entry.outcome == "acknowledged":
            self.remembered_fees.append(form.values)

    def republish_fee(self) -> None:
        if not self.remembered_fees:
            return
        values = self.remembered_fees.pop()
        _response, page = self.client.get("/my/agency/fees")
        form = page and page.form_to(r"/my/agency/fees(\?|$)")
        if not form:
            return
        hidden = {name: form.values[name] for name in form.hidden}
        marker, basis = self.note(MARKER.sub("", values.get("basis", "")).replace("[]", ""))
        today = form.values.get("effective_from", "")  # the server's today, as it filled it
        form.values = {**values, **hidden, "effective_from": today}
        self.client.submit(form, "fee.published", marker=marker, basis=basis)


class RegulatorWorker(Worker):
    def actions(self):
        return [
            (2, self.read_public),
            (1, self.read_queue),
            (3, self.decide_complaint),
            (1, self.record_inspection),
        ]

    def read_queue(self) -> None:
        self.client.get("/regulator/complaints")

    def decide_complaint(self) -> None:
        _response, page = self.client.get("/regulator/complaints", status="submitted")
        ids = page.link_ids(r"^/complaints/(\d+)$") if page else []
        if not ids:
            return
        complaint = self.rng.choice(ids)
        if self.rng.random() < 0.75:
            form = self.open_confirmation(f"/regulator/complaints/{complaint}/accept")
            if form is not None:
                self.client.submit(form, "complaint.accepted", object_id=complaint)
            return
        form = self.open_confirmation(f"/regulator/complaints/{complaint}/refuse")
        if form is not None:
            marker, reason = self.note("投诉事项不属于本机关受理范围。")
            self.client.submit(
                form, "complaint.not_accepted", object_id=complaint, marker=marker, reason=reason
            )

    def record_inspection(self) -> None:
        agency, _code = self.rng.choice(self.world.soak_agencies + self.world.other_agencies)
        path = f"/regulator/agencies/{agency}/inspections/new"
        response, page = self.client.get(path)
        form = page and response.status_code == 200 and page.form_to(re.escape(path) + "$")
        if not form:
            return
        marker, findings = self.note("收费公示完整，档案管理规范。")
        self.client.submit(
            form,
            "inspection.recorded",
            marker=marker,
            created=r"/regulator/inspections/(\d+)",
            score=self.rng.randint(60, 98),
            findings=findings,
        )


WORKERS = {"enterprise": EnterpriseWorker, "agency": AgencyWorker, "regulator": RegulatorWorker}
