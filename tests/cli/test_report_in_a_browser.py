"""``openai-access report`` (issue 18), opened in real headless Chromium: what a reviewer sees
(each status in its colour, the team that gives the access, until when), the filters given in
the address, and a page of 1,000 memberships."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from pulumi_openai_access.cli.access_map import AccessMap, Cell, Person
from pulumi_openai_access.cli.report_html import render_report
from pulumi_openai_access.emulator.process import SAMPLE
from tests.support.groups import GROUPS_IN_USE

NOW = "2026-12-10T00:00:00Z"
SPEC = {
    "exclusive": [SAMPLE.WEB],  # ada (organization owner) is kept by the rail, katherine goes
    "teams": {
        "web": {"members": ["alan@example.com"],
                "grants": {SAMPLE.WEB: {"role": "member", "roles": [SAMPLE.KEY_MANAGER]}}},
        "web-new": {"members": ["barbara@example.com", "new@example.com"], "grants": {SAMPLE.WEB: "member"}},
        "data": {"members": ["grace@example.com"], "grants": {SAMPLE.DATA: {"role": "owner",
                                                                           "roles": [SAMPLE.VIEWER_ROLE]}}},
        "data-temp": {"members": ["edsger@example.com"], "expires": "2026-12-20",
                      "grants": {SAMPLE.DATA: {"role": "member", "roles": [SAMPLE.VIEWER_ROLE]}}},
    },
}


@pytest.fixture(scope="module")
def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        message = "the report's browser test needs Chromium: bash scripts/setup.sh installs it (apt-get install chromium)"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return found


class Shown(HTMLParser):
    """The rows of the page's table as the browser left them: person, hidden, cells."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[str, dict] = {}
        self._row: dict | None = None
        self._cell: dict | None = None
        self.hidden_columns: set[str] = set()
        self.shown_text = ""
        self._in_shown = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if "hidden-column" in (attributes.get("class") or ""):
            self.hidden_columns.add(attributes.get("data-project") or "")
        if attributes.get("id") == "shown":
            self._in_shown = True
        if tag == "tr" and "data-person" in attributes:
            self._row = {"hidden": "hidden" in attributes, "cells": {}, "key": None}
        elif tag == "td" and self._row is not None and "data-status" in attributes:
            self._cell = {"status": attributes["data-status"], "class": attributes.get("class"),
                          "title": attributes.get("title"), "text": ""}
            self._row["cells"][attributes["data-project"]] = self._cell

    def handle_endtag(self, tag: str) -> None:
        if tag == "td":
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.rows[self._row["key"]] = self._row
            self._row = None
        elif tag == "span":
            self._in_shown = False

    def handle_data(self, data: str) -> None:
        if self._in_shown:
            self.shown_text += data
        if self._cell is not None:
            self._cell["text"] += " " + " ".join(data.split())
        elif self._row is not None and self._row["key"] is None and data.strip():
            self._row["key"] = data.strip()


def open_in_chromium(chromium: str, page: Path, fragment: str = "") -> Shown:
    dumped = subprocess.run(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", page.as_uri() + fragment],
        capture_output=True, text=True, timeout=120, check=True,
    ).stdout
    shown = Shown()
    shown.feed(dumped)
    return shown


@pytest.fixture
def sample_report(cli, emulator, tmp_path: Path) -> Path:
    spec = tmp_path / "access.yaml"
    spec.write_text(yaml.safe_dump(SPEC, sort_keys=False))
    seed = emulator.state()
    seed["invites"] = [{"id": "invite-New", "email": "new@example.com", "role": "reader",
                        "projects": [{"id": SAMPLE.WEB, "role": "member"}], "expires_at": 1893456000}]
    emulator.reset(seed)
    page = tmp_path / "report.html"
    run = cli("report", "--spec", str(spec), "--html", str(page), env={"OPENAI_ACCESS_NOW": NOW})
    assert run.code == 0, run.stderr
    assert "7 people, 2 projects, 8 memberships" in run.stderr
    return page


def test_each_cell_shows_its_role_team_status_and_end(chromium, sample_report):
    shown = open_in_chromium(chromium, sample_report)

    def cell(person: str, project: str) -> dict:
        return shown.rows[person]["cells"][project]

    assert list(shown.rows) == sorted(shown.rows)  # sorted: a reviewer finds a person at once
    assert cell("alan@example.com", SAMPLE.WEB)["status"] == "in_sync"
    assert "+API Key Manager" in cell("alan@example.com", SAMPLE.WEB)["text"]
    assert "via team web" in cell("alan@example.com", SAMPLE.WEB)["text"]
    assert cell("barbara@example.com", SAMPLE.WEB)["status"] == "missing"
    assert cell("new@example.com", SAMPLE.WEB)["status"] == "invited"
    assert "invite invite-New pending" in cell("new@example.com", SAMPLE.WEB)["title"]
    assert cell("ada@example.com", SAMPLE.WEB)["status"] == "kept"
    assert "organization owner" in cell("ada@example.com", SAMPLE.WEB)["title"]
    assert cell("katherine@example.com", SAMPLE.WEB)["status"] == "removed"
    assert cell("katherine@example.com", SAMPLE.DATA)["status"] == "undeclared"
    assert cell("grace@example.com", SAMPLE.DATA)["status"] == "differs"
    assert f"missing extra role {SAMPLE.VIEWER_ROLE}" in cell("grace@example.com", SAMPLE.DATA)["title"]
    edsger = cell("edsger@example.com", SAMPLE.DATA)
    assert edsger["status"] == "in_sync" and "ending-soon" in edsger["class"]
    assert "until 2026-12-20" in edsger["text"] and "via team data-temp" in edsger["text"]
    assert not any(row["hidden"] for row in shown.rows.values())
    assert "7 of 7 people shown" in shown.shown_text


def test_access_through_a_group_names_the_group(chromium, cli, emulator, tmp_path):
    emulator.reset(GROUPS_IN_USE)  # hand-made (alan) granted proj_data, the SCIM group ML Engineers proj_web
    spec = {"teams": {
        "hand": {"group": "hand-made", "members": ["alan@example.com", "grace@example.com"],
                 "grants": {"proj_data": {"role": "owner", "roles": ["role_analyst"]}}},  # live: member
        "ml": {"external_group": "ML Engineers", "grants": {"proj_web": "owner"}},
        "direct": {"members": ["ada@example.com"], "grants": {"proj_data": "owner"}},
        "both": {"members": ["alan@example.com"], "grants": {"proj_web": "member"}},
        "alan-too": {"group": "hand-made-2", "members": ["alan@example.com"], "grants": {"proj_web": "member"}},
    }}
    spec_file, page = tmp_path / "access.yaml", tmp_path / "report.html"
    spec_file.write_text(yaml.safe_dump(spec))
    run = cli("report", "--spec", str(spec_file), "--html", str(page))
    assert run.code == 0, run.stderr

    shown = open_in_chromium(chromium, page)

    def cell(person: str, project: str) -> dict:
        return shown.rows[person]["cells"][project]

    alan = cell("alan@example.com", "proj_data")
    assert alan["status"] == "differs" and "via group hand-made" in alan["text"]
    assert "declared owner" in alan["title"]  # as the audit found the group's grant
    grace = cell("grace@example.com", "proj_data")
    assert grace["status"] == "missing" and "not in the group hand-made" in grace["title"]
    # The identity provider keeps the SCIM group's users: the group stands as one row.
    scim = cell("group ML Engineers", "proj_web")
    assert scim["status"] == "in_sync" and "via group ML Engineers" in scim["text"]
    # A membership and a group in one project: one cell that names both.
    both = cell("alan@example.com", "proj_web")
    assert "via team both, group hand-made-2" in both["text"]
    assert cell("ada@example.com", "proj_data")["status"] == "in_sync"


def test_the_filters_in_the_address_hide_what_they_leave_out(chromium, sample_report):
    by_person = open_in_chromium(chromium, sample_report, "#person=grace")
    by_team = open_in_chromium(chromium, sample_report, "#team=team%20web-new")
    by_project = open_in_chromium(chromium, sample_report, f"#project={SAMPLE.DATA}")

    assert [p for p, row in by_person.rows.items() if not row["hidden"]] == ["grace@example.com"]
    assert [p for p, row in by_team.rows.items() if not row["hidden"]] == ["barbara@example.com", "new@example.com"]
    assert {p for p, row in by_project.rows.items() if not row["hidden"]} == {
        "edsger@example.com", "grace@example.com", "katherine@example.com"}
    assert by_project.hidden_columns == {SAMPLE.WEB}
    assert "1 of 7 people shown" in by_person.shown_text


def test_the_page_needs_no_network(sample_report):
    page = sample_report.read_text()
    assert "http://" not in page and "https://" not in page and " src=" not in page


def test_a_thousand_memberships_fit_on_one_page(chromium, tmp_path):
    projects = {f"proj_P{index:03d}": f"Project {index:03d}" for index in range(20)}
    people = tuple(Person(f"person{index:03d}@example.com", f"Person {index}") for index in range(100))
    cells = {
        (person.key, project_id): Cell("member", ("role-api-project-viewer",), "in_sync", (f"team t{index % 7}",),
                                       dt.datetime(2026, 12, 20, tzinfo=dt.timezone.utc), True)
        for index, person in enumerate(people) for project_id in list(projects)[index % 11: index % 11 + 10]
    }
    access = AccessMap(projects, people, cells, tuple(sorted({f"team t{i}" for i in range(7)})))
    page = tmp_path / "big.html"
    page.write_text(render_report(access, title="big", role_names={}))
    assert access.memberships == 1000

    shown = open_in_chromium(chromium, page, "#person=person042")

    assert len(shown.rows) == 100
    assert sum(len(row["cells"]) for row in shown.rows.values()) == 1000
    assert [p for p, row in shown.rows.items() if not row["hidden"]] == ["person042@example.com"]
    assert page.stat().st_size < 2_000_000
