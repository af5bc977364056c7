"""A new service's OpenAI access in the stack that deploys it: its project, a custom role, its
team's memberships carrying that role, and a service account whose key the same program hands
on as a secret. The ids flow as outputs: nothing is pasted from the dashboard.

    from examples.new_service import new_service_access

    checkout = new_service_access("checkout", "Checkout service", team=["ada@example.com"])
    k8s.core.v1.Secret("openai", string_data={"OPENAI_API_KEY": checkout.bot.api_key})

``tests/engine/test_engine_new_service.py`` runs this program through the engine.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from pulumi_openai_access.providers.project import Project
from pulumi_openai_access.providers.project_role import ProjectRole
from pulumi_openai_access.providers.project_user import ProjectUser
from pulumi_openai_access.providers.service_account import ServiceAccount


@dataclass(frozen=True)
class ServiceAccess:
    project: Project
    evaluator: ProjectRole
    memberships: tuple[ProjectUser, ...]
    bot: ServiceAccount  # bot.api_key: a secret output


def new_service_access(key: str, name: str, *, team: Sequence[str],
                       permissions: Sequence[str] = ("api.model.read", "api.model.request")) -> ServiceAccess:
    """``key`` names the resources (``checkout``, ``checkout/evaluator``…); ``name`` is the project's."""
    project = Project(key, name=name)
    evaluator = ProjectRole(f"{key}/evaluator", project_id=project.id, role_name="evaluator",
                            permissions=list(permissions), description="Runs evaluations")
    # `roles=[evaluator.id]`: each membership depends on the role, so `up` creates the role
    # first and `destroy` removes the memberships (and with them the assignments) before it.
    memberships = tuple(
        ProjectUser(f"{key}/{email}", project_id=project.id, email=email, role="owner", roles=[evaluator.id])
        for email in team
    )
    bot = ServiceAccount(f"{key}/deploy-bot", project_id=project.id, name="deploy-bot")
    return ServiceAccess(project, evaluator, memberships, bot)
