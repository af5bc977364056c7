"""The admin key and the client never show, log or pickle the secret; unsafe base URLs are refused."""

from __future__ import annotations

import copy
import pickle

import dill
import pytest

from pulumi_openai_access.providers.admin_api import AdminClient, AdminKey, InsecureBaseUrlError
from pulumi_openai_access.providers.admin_api.base_url import DEFAULT_BASE_URL
from pulumi_openai_access.providers.admin_api.credentials import BearerAuth, redact

SECRET = "sk-admin-TOPSECRETvalue0123456789"
SECRET_BODY = SECRET.removeprefix("sk-admin")  # the characters that must never be shown


def _shows_nothing_secret(text: str) -> bool:
    return SECRET_BODY not in text and "TOPSECRET" not in text


@pytest.mark.parametrize("render", [repr, str, lambda k: f"{k}", lambda k: f"{k!s:>40}", lambda k: "%s %r" % (k, k),
                                    lambda k: format(k, "s"), lambda k: str([k]), lambda k: str({"key": k})])
def test_key_renders_redacted_everywhere(render):
    text = render(AdminKey(SECRET))
    assert _shows_nothing_secret(text)
    assert "sk-admin…redacted" in text


def test_key_repr_shows_no_characters_of_a_non_admin_key():
    assert repr(AdminKey("sk-proj-abcdef")) == "AdminKey('…redacted')"


@pytest.mark.parametrize("serialize", [
    pickle.dumps,
    lambda o: pickle.dumps(o, protocol=0),
    dill.dumps,
    lambda o: dill.dumps(o, recurse=True),
    copy.copy,
    copy.deepcopy,
], ids=["pickle", "pickle-0", "dill", "dill-recurse", "copy", "deepcopy"])
def test_key_and_client_refuse_serialization(serialize):
    for obj in (AdminKey(SECRET), BearerAuth(AdminKey(SECRET)), AdminClient(SECRET, "http://127.0.0.1:9")):
        with pytest.raises(TypeError, match="cannot be pickled"):
            serialize(obj)
        if serialize is not copy.copy:  # a shallow copy of a container never copies obj
            # also inside a container, the way a provider's state would hold it
            with pytest.raises(TypeError):
                serialize({"nested": [obj]})


def test_key_header_and_validation():
    assert AdminKey(f"  {SECRET}\n").authorization_header() == {"Authorization": f"Bearer {SECRET}"}
    for bad in ("", "   ", "sk-admin-a\r\nX-Evil: 1", "sk admin"):
        with pytest.raises(ValueError) as info:
            AdminKey(bad)
        assert "X-Evil" not in str(info.value)


def test_scrub_removes_the_key_and_key_like_text():
    key = AdminKey(SECRET)
    text = key.scrub(f"got {SECRET}; Authorization: Bearer {SECRET}; server says sk-admin-****6789 is wrong")
    assert _shows_nothing_secret(text) and "****6789" not in text
    assert redact("Bearer abc.def") == "Bearer …redacted"


def test_client_repr_shows_base_url_only():
    client = AdminClient(SECRET, "https://admin.example.test/v1/")
    assert repr(client) == "AdminClient(base_url='https://admin.example.test/v1')"
    assert _shows_nothing_secret(repr(vars(client)))


def test_key_and_base_url_from_environment(monkeypatch):
    monkeypatch.setenv("OPENAI_ADMIN_KEY", SECRET)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    assert AdminClient().base_url == DEFAULT_BASE_URL
    monkeypatch.setenv("OPENAI_BASE_URL", "http://localhost:8080/v1")
    assert AdminClient().base_url == "http://localhost:8080/v1"
    # an explicit argument wins over the environment
    assert AdminClient(base_url="https://x.test/v1").base_url == "https://x.test/v1"


def test_missing_key_is_a_clear_error(monkeypatch):
    monkeypatch.delenv("OPENAI_ADMIN_KEY", raising=False)
    with pytest.raises(ValueError, match="OPENAI_ADMIN_KEY"):
        AdminClient(base_url="https://x.test/v1")


@pytest.mark.parametrize("url", ["http://127.0.0.1:8080/v1", "http://127.1.2.3/v1", "http://[::1]:9/v1",
                                 "http://localhost/v1", "http://LOCALHOST:1/v1", "https://api.example.test/v1"])
def test_loopback_http_and_any_https_are_accepted(url):
    AdminClient(SECRET, url)


@pytest.mark.parametrize("url", ["http://api.openai.com/v1", "http://10.0.0.1/v1", "http://localhost.evil.test/v1",
                                 "http://128.0.0.1/v1", "ftp://127.0.0.1/v1", "https://user:pw@x.test/v1",
                                 "api.openai.com/v1", "https://x.test/v1?a=1"])
def test_unsafe_base_urls_are_refused_before_any_request(url):
    with pytest.raises(InsecureBaseUrlError) as info:
        AdminClient(SECRET, url)
    assert _shows_nothing_secret(str(info.value))


def test_bad_settings_are_refused():
    with pytest.raises(ValueError):
        AdminClient(SECRET, "http://127.0.0.1:9", timeout=0)
    with pytest.raises(ValueError):
        AdminClient(SECRET, "http://127.0.0.1:9", requests_per_minute=0)
