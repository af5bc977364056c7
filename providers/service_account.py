"""``ServiceAccount``: a project's service account and its one managed API key, the key a
Pulumi secret.

Contract with existing stacks: the provider class is pickled by reference as
``pulumi_openai_access.providers.service_account.ServiceAccountProvider`` and the resource type
is ``pulumi-python:dynamic/openai:ServiceAccount``. Renaming either breaks refresh and destroy
of every resource already in a stack's state.

The key's value is returned by the API once, at creation: it lives in the stack's state only,
encrypted (``additional_secret_outputs``), and ``read`` carries it over from there.

An interrupted create (the engine stopped after the API created the account, before the state
was written) leaves an account that this stack owns but does not know. Names are not unique,
so ``create`` first looks for accounts with exactly the declared name and role: one is taken
over (a new key is made for it, since the lost one cannot be read; its existing keys are left
alone and named in the log, as the stack cannot know they are its own); two or more, or one
with the declared name but another role, fail with what exists, without creating a second.
"""

from __future__ import annotations

import logging
import time
from typing import Any, Mapping, Sequence

import pulumi
from pulumi.dynamic import CheckResult, CreateResult, DiffResult, ReadResult, UpdateResult

from .access_gateway import AccessGateway
from .admin_api.behaviour import SERVICE_ACCOUNT_ROLES
from .admin_api.errors import NotFoundError, ProjectArchivedError
from .admin_api.models import NewApiKey, ServiceAccountRecord
from .base_provider import AdminApiProvider
from .input_checks import any_text, name, one_of, positive_seconds, text_list
from .resource_ids import split_resource_id
from .resource_inputs import AdminApiResource
from .resource_schema import Constraint, Input, Output, RecordOutputs, ResourceSchema
from .service_account_keys import KeyOptions, new_key, renewal_reason, replace_key
from .shared_inputs import PROJECT

log = logging.getLogger(__name__)

NAME_MAX_LENGTH = 255  # unconfirmed by any source: a generous bound that catches mistakes


def _renewal_problem(inputs: Mapping[str, Any]) -> str | None:
    renew, expires = inputs.get("key_renew_before_seconds"), inputs.get("key_expires_in_seconds")
    if renew is None:
        return None
    if expires is None:
        return "key_renew_before_seconds needs key_expires_in_seconds: a key that never expires is never renewed"
    if renew >= expires:
        return (f"key_renew_before_seconds ({int(renew)}) must be less than key_expires_in_seconds "
                f"({int(expires)}), or every up would make a new key")
    return None


ACCOUNT = RecordOutputs(ServiceAccountRecord, {
    "service_account_id": "id", "name": "name", "role": "role", "created_at": "created_at",
})
# The key's value is in the create's answer only; listings show its id and expiry.
KEY = RecordOutputs(NewApiKey, {"api_key": "value", "api_key_id": "id", "api_key_expires_at": "expires_at"})

SCHEMA = ResourceSchema(
    inputs=(
        PROJECT,
        Input("name", str, "The service account's name (not unique in a project); a new name updates in place.",
              rule=name("a service account name such as 'deploy-bot'", max_length=NAME_MAX_LENGTH),
              required=True),
        Input("role", str, "`member` (the default) or `owner`; a new role updates in place.",
              rule=one_of(SERVICE_ACCOUNT_ROLES), default="member"),
        Input("key_expires_in_seconds", int | None,
              "The key's lifetime in seconds (None: it never expires); a change makes a new key.",
              rule=positive_seconds, normalize=int),
        Input("key_scopes", list[str] | None,
              "Permission scopes the key is restricted to, such as `api.model.request` (None: all the account's "
              "permissions); a change makes a new key.",
              rule=text_list("permission scopes such as 'api.model.request'"), normalize=list),
        Input("rotation", str | None, "Any string: changing it makes a new key, and deletes the old one once the "
              "new one exists.", rule=any_text),
        Input("key_renew_before_seconds", int | None,
              "Make a new key at the first preview or up this close to the key's expiry (needs "
              "`key_expires_in_seconds`, and must be less).", rule=positive_seconds, normalize=int),
    ),
    outputs=(
        Output("service_account_id", str, "The service account's id, `svc_acct_…`."),
        Output("created_at", int, "When the service account was created (unix seconds)."),
        Output("api_key", str | None, "The API key's value: a secret, shown by the API once, kept in state "
               "encrypted. None after a refresh found the key deleted or expired (the next up makes a new one)."),
        Output("api_key_id", str | None, "The API key's id, `key_…`."),
        Output("api_key_expires_at", int | None, "When the API key expires (unix seconds), or None."),
    ),
    constraints=(
        Constraint("key_renew_before_seconds", ("key_renew_before_seconds", "key_expires_in_seconds"),
                   _renewal_problem),
    ),
    records=(ACCOUNT, KEY),
)


class ServiceAccountProvider(AdminApiProvider):
    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        return SCHEMA.check(news)

    def diff(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        result = SCHEMA.diff(olds, news)
        reason = renewal_reason(olds, news, time.time())
        if reason is not None:
            # The engine's diff display cannot say why a key is replaced: say it here (stderr).
            log.info("service account %r (%s): a new key is planned (%s)", news.get("name"), id_, reason)
            result.changes = True  # also when the key is gone, expired or due, with no input changed
        return result

    def create(self, props: dict[str, Any]) -> CreateResult:
        project_id, name, role = props["project_id"], props["name"], props["role"]
        access = self.access
        listed = _accounts(access, project_id)  # listed now, not the shared listing: it decides a write
        leftover = _leftover_of_an_interrupted_create(listed, project_id, name, role)
        if leftover is not None:
            return self._take_over(access, props, leftover)
        options = KeyOptions.from_inputs(props)
        created = access.create_service_account(project_id, name, expires_in_seconds=options.expires_in_seconds,
                                                known=listed)
        account: ServiceAccountRecord = created
        key = created.api_key
        if key is None:
            # Read back after a lost answer: the account is ours, and so are its keys (it
            # was created by this call); their values are lost, so they make way for a new one.
            lost = [k.id for k in access.service_account_keys(project_id, account.id)]
            log.info("service account %s: its first key's value was lost with the create's answer; "
                     "making a new key and deleting %s", account.id, ", ".join(lost) or "nothing")
            key = replace_key(access, project_id, account.id, name, options, lost)
        elif options.scopes is not None:
            # The first key cannot be created with scopes: restrict it before anyone sees it.
            access.restrict_api_key(project_id, key.id, options.scopes)
        if role != account.role:
            account = access.update_service_account(project_id, account.id, role=role)
        return CreateResult(f"{project_id}/{account.id}", _outputs(props, account, key))

    def _take_over(self, access: AccessGateway, props: Mapping[str, Any], account: ServiceAccountRecord) -> CreateResult:
        project_id = props["project_id"]
        existing = [k.id for k in access.service_account_keys(project_id, account.id)]
        log.warning(
            "service account %s (%r, role %s) already exists in project %s exactly as declared: taking it over "
            "as the leftover of an interrupted create, with a new key. Its existing keys are left alone, "
            "since this stack cannot know they are its own: %s", account.id, account.name, account.role,
            project_id, ", ".join(existing) or "none",
        )
        key = new_key(access, project_id, account.id, props["name"], KeyOptions.from_inputs(props))
        return CreateResult(f"{project_id}/{account.id}", _outputs(props, account, key))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        # From the project's shared listings: a refresh costs pages, not two GETs per account.
        project_id, account_id = split_resource_id(id_, 2)
        account = self.access.find_service_account(project_id, account_id)
        if account is None:
            return ReadResult("", {})
        outputs = {**_outputs(props, account, None), **self._key_as_it_is(project_id, props)}
        return ReadResult(id_, outputs, SCHEMA.inputs_from_outputs(outputs))

    def _key_as_it_is(self, project_id: str, props: Mapping[str, Any]) -> dict[str, Any]:
        """The key outputs as the API has them: a key deleted out of band is gone (no id), an
        expired one is kept (so the next update deletes it) with no usable value."""
        key_id = props.get("api_key_id")
        key = self.access.find_api_key(project_id, key_id) if key_id else None
        if key is None:
            if key_id:
                log.info("key %s of project %s is gone: the next update makes a new one", key_id, project_id)
            return KEY.outputs(None)
        # A listed key has no value: the stored one stands, unless the key has expired.
        return {**KEY.outputs(key), "api_key": None if key.expired(time.time()) else props.get("api_key")}

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        project_id, account_id = split_resource_id(id_, 2)
        access = self.access
        account = ACCOUNT.record_from(olds)
        changes = {prop: news[prop] for prop in ("name", "role") if news.get(prop) != olds.get(prop)}
        if changes:
            try:
                account = access.update_service_account(project_id, account_id, **changes)
            except NotFoundError:
                raise ValueError(f"service account {account_id} no longer exists in project {project_id}: run "
                                 "`pulumi refresh` to drop it from the state, then `pulumi up` creates it anew") from None
        reason = renewal_reason(olds, news, time.time())
        if reason is None:
            return UpdateResult(_outputs(news, account, None, key_from=olds))
        log.info("service account %r (%s): making a new key (%s)", news["name"], account_id, reason)
        old_ids = [olds["api_key_id"]] if olds.get("api_key_id") else []
        key = replace_key(access, project_id, account_id, news["name"], KeyOptions.from_inputs(news), old_ids)
        return UpdateResult(_outputs(news, account, key))

    def delete(self, id_: str, _props: dict[str, Any]) -> None:
        project_id, account_id = split_resource_id(id_, 2)
        try:
            self.access.delete_service_account(project_id, account_id)  # its keys go with it
        except (NotFoundError, ProjectArchivedError):
            log.info("service account %s of project %s was already gone", account_id, project_id)


def _accounts(access: AccessGateway, project_id: str) -> list[ServiceAccountRecord]:
    try:
        return access.current_service_accounts(project_id)
    except ProjectArchivedError:
        raise ValueError(f"project {project_id} is archived: archived projects have no service accounts") from None


def _leftover_of_an_interrupted_create(listed: Sequence[ServiceAccountRecord], project_id: str, name: str,
                                       role: str) -> ServiceAccountRecord | None:
    """The one account exactly as declared, if any; fails on what cannot be told apart."""
    same_name = [a for a in listed if a.name == name]
    exact = [a for a in same_name if a.role == role]
    if len(exact) == 1:
        return exact[0]
    if same_name:
        found = ", ".join(f"{a.id} (role {a.role})" for a in same_name)
        raise ValueError(
            f"project {project_id} already has service account(s) named {name!r}: {found}. Names are not unique, "
            "and this stack cannot tell whether one of them is its own, so it creates no other. Delete or rename "
            f"the ones that are not in use, or give this resource another name (an account named {name!r} with "
            f"role {role!r}, alone, is taken over as the leftover of an interrupted run)."
        )
    return None


def _outputs(inputs: Mapping[str, Any], account: ServiceAccountRecord, key: NewApiKey | None,
             key_from: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Every output. The key's outputs come from a new key, or else from ``key_from`` (the
    previous outputs) or ``inputs``."""
    previous = key_from if key_from is not None else inputs
    key_outputs = KEY.outputs(key) if key is not None else {name: previous.get(name) for name in KEY.names}
    return SCHEMA.output_values(inputs, ACCOUNT.outputs(account), key_outputs)


ServiceAccountArgs = SCHEMA.args_class("ServiceAccountArgs", "Inputs of a ``ServiceAccount``.")


class ServiceAccount(
    AdminApiResource,
    module="openai", name="ServiceAccount",
    schema=SCHEMA, args=ServiceAccountArgs, provider=ServiceAccountProvider,
):
    """A project's service account with one API key (``api_key``, a secret). Its id is
    ``{project_id}/{service_account_id}``.

    Changing ``rotation`` (any string), ``key_expires_in_seconds`` or ``key_scopes`` makes a
    new key and deletes the old one once the new one exists; so does an ``up`` within
    ``key_renew_before_seconds`` of the key's expiry, or after a refresh found the key deleted.
    ``name`` and ``role`` (``member`` or ``owner``) change in place; a new project replaces it.
    """

    def __init__(
        self, resource_name: str, args: Any = None, opts: pulumi.ResourceOptions | None = None, **inputs: Any
    ) -> None:
        # The key is a new output, not an input: only this makes the engine store it encrypted.
        secret = pulumi.ResourceOptions(additional_secret_outputs=["api_key"])
        super().__init__(resource_name, args, pulumi.ResourceOptions.merge(opts, secret), **inputs)
