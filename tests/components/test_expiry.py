"""``expires`` in the spec: which instant it means, what the merge declares before and after
it, what ends soon, and bad values named with their path."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import yaml

from pulumi_openai_access.components import AccessSpecError, parse_access_spec
from pulumi_openai_access.components.expiry import NOW_ENV, now, parse_expiry
from pulumi_openai_access.components.grant_merge import ending_within, expired_grants, merge_grants

WEB = "proj_Web0000000000000000000000"
DATA = "proj_Data000000000000000000000"
UTC = dt.timezone.utc


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


@pytest.mark.parametrize("value, instant", [
    ("2026-12-24", "2026-12-25T00:00:00Z"),                 # a date: the end of that day, UTC
    (dt.date(2026, 12, 24), "2026-12-25T00:00:00Z"),        # as YAML hands a date over
    ("2026-12-24T17:00:00+01:00", "2026-12-24T16:00:00Z"),
    ("2026-12-24T16:00:00Z", "2026-12-24T16:00:00Z"),
    ("2026-12-24t16:00:00.5z", "2026-12-24T16:00:00.500000Z"),
    (dt.datetime(2026, 12, 24, 16, tzinfo=UTC), "2026-12-24T16:00:00Z"),
])
def test_which_instant_a_value_means(value, instant):
    assert parse_expiry(value) == at(instant)


@pytest.mark.parametrize("value", ["2026-13-01", "2026-02-30", "24/12/2026", "2026-12-24T16:00:00", "tomorrow",
                                   dt.datetime(2026, 12, 24, 16), 20261224, True, None])
def test_malformed_or_ambiguous_values_are_refused(value):
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        parse_expiry(value)


def test_now_comes_from_the_environment_when_set():
    assert now({NOW_ENV: "2027-01-01T08:00:00Z"}) == at("2027-01-01T08:00:00Z")
    assert abs(now({}) - dt.datetime.now(UTC)) < dt.timedelta(seconds=5)
    with pytest.raises(ValueError, match=f"\\${NOW_ENV}"):
        now({NOW_ENV: "soon"})


def incident_spec() -> dict:
    """The issue's example: a team that ends, one member who ends later, one grant earlier."""
    return yaml.safe_load(f"""
teams:
  incident-2031:
    expires: 2026-12-24
    members:
      - ada@example.com
      - {{email: eve@agency.test, expires: 2027-01-31}}
    grants:
      {WEB}: {{role: owner, expires: 2026-12-20}}
      {DATA}: member
""")


def declared(spec: dict, when: str) -> dict[tuple[str, str], tuple[str, tuple[str, ...]]]:
    return {(g.project_id, g.member.key): (g.role, g.extra_roles)
            for g in merge_grants(parse_access_spec(spec), at(when))}


def test_each_access_ends_at_the_earliest_expiry_that_applies():
    spec = incident_spec()
    assert declared(spec, "2026-12-20T23:59:59Z") == {
        (WEB, "ada@example.com"): ("owner", ()), (DATA, "ada@example.com"): ("member", ()),
        (WEB, "eve@agency.test"): ("owner", ()), (DATA, "eve@agency.test"): ("member", ()),
    }
    # The grant ended with 20 December; the team's data access lasts through the 24th.
    assert declared(spec, "2026-12-21T00:00:00Z") == {
        (DATA, "ada@example.com"): ("member", ()), (DATA, "eve@agency.test"): ("member", ()),
    }
    # The team's own expiry bounds every member's, even a later one.
    assert declared(spec, "2026-12-25T00:00:00Z") == {}


def test_permanent_access_outlasts_an_expiring_grant_of_the_same_person():
    spec = {"teams": {
        "oncall": {"members": ["ada@example.com"], "expires": "2026-12-24",
                   "grants": {WEB: {"role": "owner", "roles": ["role-api-project-viewer"]}}},
        "web": {"members": ["ada@example.com"], "grants": {WEB: "member"}},
    }}
    assert declared(spec, "2026-12-24T12:00:00Z") == {(WEB, "ada@example.com"): ("owner", ("role-api-project-viewer",))}
    # After it: still a member (the permanent grant), without the owner role and the extra role.
    assert declared(spec, "2026-12-25T00:00:00Z") == {(WEB, "ada@example.com"): ("member", ())}
    [gone] = expired_grants(parse_access_spec(spec), at("2026-12-25T00:00:00Z"))
    assert (gone.project_id, gone.role, gone.extra_roles, gone.teams) == (WEB, "owner", ("role-api-project-viewer",),
                                                                          ("oncall",))


def test_what_ends_within_14_days_is_listed_soonest_first():
    spec = {"teams": {
        "oncall": {"members": ["ada@example.com"], "expires": "2026-12-24",
                   "grants": {WEB: {"role": "owner", "roles": ["role-api-project-viewer"]}}},
        "web": {"members": ["ada@example.com"], "grants": {WEB: "member"}},
        "contractors": {"members": [{"email": "eve@agency.test", "expires": "2026-12-20T18:00:00Z"}],
                        "grants": {DATA: "member"}},
        "later": {"members": ["bob@example.com"], "expires": "2027-06-01", "grants": {DATA: "member"}},
    }}
    grants = merge_grants(parse_access_spec(spec), at("2026-12-15T00:00:00Z"))
    assert ending_within(grants, at("2026-12-15T00:00:00Z")) == [
        {"project_id": DATA, "member": "eve@agency.test", "what": "membership", "ends": "2026-12-20T18:00:00Z"},
        {"project_id": WEB, "member": "ada@example.com", "what": "extra role role-api-project-viewer",
         "ends": "2026-12-25T00:00:00Z"},
        {"project_id": WEB, "member": "ada@example.com", "what": "role owner (member after that)",
         "ends": "2026-12-25T00:00:00Z"},
    ]


@pytest.mark.parametrize("spec, problem", [
    ({"teams": {"t": {"members": ["a@example.com"], "grants": {WEB: "member"}, "expires": "2026-31-12"}}},
     "teams.t.expires: '2026-31-12' is not a date (YYYY-MM-DD"),
    ({"teams": {"t": {"members": [{"email": "a@example.com", "expires": "next week"}], "grants": {WEB: "member"}}}},
     "teams.t.members.0.expires: 'next week' is not a date"),
    ({"teams": {"t": {"members": ["a@example.com"], "grants": {WEB: {"role": "owner", "expires": "2026-12-24T10:00"}}}}},
     f"teams.t.grants.{WEB}.expires: '2026-12-24T10:00' is not a date"),
    ({"service_accounts": {WEB: {"bot": {"expires": "2026-12-24"}}}},
     f"service_accounts.{WEB}.bot.expires: cannot carry an expiry: `expires` goes on a team, a member entry or a grant"),
    ({"expires": "2026-12-24", "teams": {"t": {"members": ["a@example.com"], "grants": {WEB: "member"}}}},
     "expires: cannot carry an expiry"),
])
def test_bad_expiry_is_named_with_its_path(spec, problem):
    with pytest.raises(AccessSpecError, match=re.escape(problem)):
        parse_access_spec(spec)


def test_a_date_as_yaml_parses_it_and_as_json_text_mean_the_same():
    from_yaml = parse_access_spec(incident_spec())
    from_text = parse_access_spec({"teams": {"incident-2031": {
        "expires": "2026-12-24", "members": ["ada@example.com", {"email": "eve@agency.test", "expires": "2027-01-31"}],
        "grants": {WEB: {"role": "owner", "expires": "2026-12-20"}, DATA: "member"}}}})
    assert from_yaml == from_text
