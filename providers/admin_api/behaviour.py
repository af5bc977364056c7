"""The Admin API behaviours that no published source confirms, decided once.

OpenAI's published API description (the OpenAPI spec and the Admin API reference) leaves
some statuses and messages open; each one decided here without a source says "unconfirmed".
This module is the one place where they are decided: the emulator produces exactly these, and
the client recognises errors by these statuses and message fragments. The fragments marked
*observed* were seen on the real API; the client matches on fragments, never on whole
messages, so that wording changes around them do not break it.
"""

from __future__ import annotations

# --- Pagination -----------------------------------------------------------------------------
# Legacy lists (organization users, project users, projects): 1..100, default 20 (spec text).
LEGACY_PAGE_MIN, LEGACY_PAGE_MAX, LEGACY_PAGE_DEFAULT = 1, 100, 20
# RBAC lists (/roles, role assignments): 0..1000 (spec); default unstated, chosen 1000 like
# the roles lists. A limit outside the range is a 400 naming the `limit` parameter.
RBAC_PAGE_MIN, RBAC_PAGE_MAX, RBAC_PAGE_DEFAULT = 0, 1000, 1000

# --- Project membership ---------------------------------------------------------------------
# Adding a user who is already a member: 400 invalid_request_error. The fragment is observed.
ALREADY_MEMBER_STATUS = 400
ALREADY_MEMBER_FRAGMENT = "already exists in project"
ALREADY_MEMBER_MESSAGE = "User {user_id} already exists in project {project_id}"

# Adding a user (by id or email) who is not in the organization: 400 (status unconfirmed).
NOT_IN_ORGANIZATION_STATUS = 400
NOT_IN_ORGANIZATION_FRAGMENT = "is not a member of the organization"
NOT_IN_ORGANIZATION_MESSAGE = "User {user} is not a member of the organization"

# Retrieving, changing or removing a user who is not a member: 404 (status unconfirmed;
# the message shape is observed on DELETE).
NOT_PROJECT_MEMBER_STATUS = 404
NOT_PROJECT_MEMBER_FRAGMENT = "is not a member of proj"
NOT_PROJECT_MEMBER_MESSAGE = "User {user_id} is not a member of {project_id}"

# Legacy project roles. A create or update with any other value is a 400 naming `role`.
PROJECT_MEMBER_ROLES = ("owner", "member")

# Add-by-email matches organization users case-insensitively; the `emails` filter of the
# organization users list does too. Both `emails[]=` and repeated `emails=` are accepted.
EMAIL_MATCH_IS_CASE_INSENSITIVE = True

# Exactly one of user_id and email on create; both or neither is a 400 naming the field.
CREATE_NEEDS_EXACTLY_ONE_OF = ("user_id", "email")

# --- Projects -------------------------------------------------------------------------------
UNKNOWN_PROJECT_STATUS = 404
UNKNOWN_PROJECT_MESSAGE = "No project found with id '{project_id}'"
# Every user or role-assignment call on an archived project: 400 (spec: list and delete).
ARCHIVED_PROJECT_STATUS = 400
ARCHIVED_PROJECT_FRAGMENT = "is archived"
ARCHIVED_PROJECT_MESSAGE = "Project {project_id} is archived"

UNKNOWN_USER_STATUS = 404
UNKNOWN_USER_MESSAGE = "No user found with id '{user_id}'"

# --- Role assignments (RBAC) ----------------------------------------------------------------
# A project role can be assigned only to a project member: 400 (unconfirmed; the Terraform
# providers always add the membership first).
ASSIGNEE_NOT_MEMBER_STATUS = 400
ASSIGNEE_NOT_MEMBER_FRAGMENT = "must be a member of project"
ASSIGNEE_NOT_MEMBER_MESSAGE = "User {user_id} must be a member of project {project_id} to be assigned a role"

# Assigning a role that is already assigned: 400 (unconfirmed).
ALREADY_ASSIGNED_STATUS = 400
ALREADY_ASSIGNED_FRAGMENT = "is already assigned"
ALREADY_ASSIGNED_MESSAGE = "Role {role_id} is already assigned to user {user_id} in project {project_id}"

# Retrieving or unassigning a role that is not assigned: 404 (unconfirmed).
NOT_ASSIGNED_STATUS = 404
NOT_ASSIGNED_MESSAGE = "Role {role_id} is not assigned to user {user_id} in project {project_id}"

# A role id that does not exist for the project (neither predefined nor the project's own
# custom role, nor an organization role): 404.
UNKNOWN_ROLE_STATUS = 404
UNKNOWN_ROLE_MESSAGE = "No role found with id '{role_id}'"

PREDEFINED_PROJECT_ROLE_IDS = (
    "role-api-project-owner",
    "role-api-project-member",
    "role-api-project-viewer",
)
# Predefined role ids have this form and custom ones `role_…` (UNCONFIRMED: the reference
# lists only the three above). So an id of this form that is not one of them is a typo,
# caught offline by `check` before any request.
PREDEFINED_ROLE_ID_PREFIX = "role-"
# The legacy owner/member role and the RBAC assignments are kept independent: a member's
# legacy role does not appear in their role-assignment list (unconfirmed either way).
# Removing a member from a project removes their role assignments in that project.
# Should the real API list the predefined role that mirrors a member's own role among their
# assignments, that role is not an extra role: the providers, discovery and audit ignore it,
# and nothing here ever unassigns it (it would strip the membership's own access).
MIRROR_ROLE_BY_MEMBER_ROLE = {"owner": "role-api-project-owner", "member": "role-api-project-member"}

# --- Authentication -------------------------------------------------------------------------
# Missing or wrong bearer key: 401 invalid_request_error with code invalid_api_key (the
# public API's usual answer). The key is never echoed back, not even redacted.
AUTH_FAILED_STATUS = 401
AUTH_FAILED_CODE = "invalid_api_key"

# --- Throttling -----------------------------------------------------------------------------
# 429 with type "requests" and code "rate_limit_exceeded"; Retry-After (whole seconds) and
# retry-after-ms are sent only when the emulator is told to (the real API has been seen
# sending neither).
RATE_LIMITED_STATUS = 429
RATE_LIMITED_CODE = "rate_limit_exceeded"
# Each endpoint is limited on its own, to a number of requests per window that nothing
# publishes (7-10 observed) and that may change: the client learns it from the 429s
# (admin_api/pace.py). The window, observed to refill after about 60 s, is UNCONFIRMED, and
# so is its kind: the emulator's is sliding; the client's pace is safe for a fixed window or
# a token bucket as well.
RATE_LIMIT_WINDOW_SECONDS = 60.0

# --- Smaller choices the emulator holds to (all unconfirmed) ------------------------------
# * Paging: an `after` id that was never in the list, or a malformed `next` cursor, is a 400
#   on `after`; an id deleted since the previous page still works (lists follow creation
#   order). `limit=0` on an RBAC list returns an empty page with a usable `next`.
# * A role update with `role` missing or null is a 400 on `role`.
# * `param` on errors: "not in organization" names whichever of user_id/email was sent;
#   both/neither names `user_id`; already assigned names `role_id`; already member is null.
# * Retrieving, changing or removing any non-member (even one unknown to the organization)
#   is the NOT_PROJECT_MEMBER 404; listing a non-member's role assignments is an empty list;
#   an unknown user on the role-assignment paths is the UNKNOWN_USER 404.
# * On an archived project, GET of the project and of its roles list still work.
# * Organization roles may be assigned at project level (UNKNOWN_ROLE is only for ids that
#   are neither predefined, the project's own, nor the organization's).

# --- Service accounts and project API keys --------------------------------------------------
# Lists of service accounts and of a project's API keys are legacy lists (first/last id,
# 1..100, default 20), as the SDK types them (SyncConversationCursorPage).
#
# Creating a service account gives it role `member` and one API key, whose value is in the
# answer and never again; `create_service_account_only` gives role `none` and no key, and is
# a 400 on `expires_in_seconds` when that is set too. Names are not unique: two accounts may
# share one (so a name never identifies an account; the client reads back by the ids that
# were not there before its create, see client.py).
SERVICE_ACCOUNT_ROLES = ("member", "owner")  # what an update may set
SERVICE_ACCOUNT_ROLE_WITHOUT_ACCESS = "none"  # create_service_account_only
# The first key's name (the API does not let the caller choose it): unconfirmed.
SERVICE_ACCOUNT_FIRST_KEY_NAME = "Secret key"
UNKNOWN_SERVICE_ACCOUNT_STATUS = 404
UNKNOWN_SERVICE_ACCOUNT_MESSAGE = "No service account found with id '{service_account_id}' in project {project_id}"
# Deleting a service account deletes its keys with it.

# A key's `expires_in_seconds` must be a positive integer (400 naming it otherwise); the
# expiry is `created_at + expires_in_seconds`. An expired key stays listed (with its
# `expires_at` in the past) until deleted, no longer authenticates, and cannot be updated
# (400 with this fragment).
KEY_EXPIRED_STATUS = 400
KEY_EXPIRED_FRAGMENT = "has expired"
KEY_EXPIRED_MESSAGE = "API key {api_key_id} has expired and cannot be updated"
UNKNOWN_API_KEY_STATUS = 404
UNKNOWN_API_KEY_MESSAGE = "No API key found with id '{api_key_id}' in project {project_id}"
# The keys list without `owner_project_access` applies "membership-based visibility rules"
# (SDK docstring) that may hide keys; clients ask for `any` to see every enabled key.
API_KEY_OWNER_ACCESS_FILTERS = ("active", "inactive", "any")
# Redacted values show the first 8 and the last 4 characters: "sk-svcac...abcd".
REDACTED_PREFIX, REDACTED_SUFFIX = 8, 4

# A project API key (a service account's) authenticates the non-admin endpoints, such as
# GET /v1/models; an admin key is refused there, and a project key on the admin endpoints.
# An expired or deleted key is the 401 invalid_api_key (unconfirmed for expired keys: the
# real API may use another code).

# --- Groups (all UNCONFIRMED unless the spec is quoted) --------------------------------------
# Lists (spec): groups 0..1000 default 100, order asc; a group's users 0..1000 default 100,
# order DESC by default; a project's groups 0..100 default 20, order asc. All next-cursor.
GROUP_PAGE_MIN, GROUP_PAGE_MAX, GROUP_PAGE_DEFAULT = 0, 1000, 100
GROUP_USERS_DEFAULT_ORDER = "desc"
PROJECT_GROUP_PAGE_MIN, PROJECT_GROUP_PAGE_MAX, PROJECT_GROUP_PAGE_DEFAULT = 0, 100, 20
# A group name is 1..255 characters (spec). Names are not unique (UNCONFIRMED): a create with
# a name in use makes a second group, so a name identifies a group only when exactly one has it.
GROUP_NAME_MAX_LENGTH = 255
GROUP_TYPES = ("group", "tenant_group")

UNKNOWN_GROUP_STATUS = 404
UNKNOWN_GROUP_MESSAGE = "No group found with id '{group_id}'"
# Renaming or deleting a group the identity provider manages, or adding or removing its users:
# 400 (UNCONFIRMED). Its project grants and their roles can be managed.
SCIM_MANAGED_STATUS = 400
SCIM_MANAGED_FRAGMENT = "is managed by SCIM"
SCIM_MANAGED_MESSAGE = "Group {group_id} is managed by SCIM and cannot be changed through the API"
# Adding a user who is in the group already: 400; removing or retrieving a user who is not:
# 404 (UNCONFIRMED). Adding a user unknown to the organization is the UNKNOWN_USER 404.
ALREADY_IN_GROUP_STATUS = 400
ALREADY_IN_GROUP_FRAGMENT = "is already a member of group"
ALREADY_IN_GROUP_MESSAGE = "User {user_id} is already a member of group {group_id}"
NOT_IN_GROUP_STATUS = 404
NOT_IN_GROUP_FRAGMENT = "is not a member of group"
NOT_IN_GROUP_MESSAGE = "User {user_id} is not a member of group {group_id}"

# Granting a group a project it has already: 400 with the project-user fragment (the
# Terraform provider matches that same string for project groups). A group without access:
# 404 on retrieve and remove.
PROJECT_GROUP_EXISTS_MESSAGE = "Group {group_id} already exists in project {project_id}"
NOT_PROJECT_GROUP_STATUS = 404
NOT_PROJECT_GROUP_FRAGMENT = "has no access to project"
NOT_PROJECT_GROUP_MESSAGE = "Group {group_id} has no access to project {project_id}"
# The grant's `role` is a project role id (spec). The ProjectGroup object carries no role, so
# the role given at the grant is the group's first role assignment in the project, listed by
# GET /projects/{p}/groups/{g}/roles like any other (UNCONFIRMED). A group's owner/member role
# is therefore read from that listing (owner wins when both are held) and changed by assigning
# the new predefined role, then unassigning the old: never a moment without either.
PROJECT_ROLE_ID_BY_MEMBER_ROLE = MIRROR_ROLE_BY_MEMBER_ROLE
# A role can be assigned only to a group that has access to the project: 400 (UNCONFIRMED).
GROUP_NOT_IN_PROJECT_STATUS = 400
GROUP_NOT_IN_PROJECT_MESSAGE = "Group {group_id} must have access to project {project_id} to be assigned a role"
GROUP_ALREADY_ASSIGNED_MESSAGE = "Role {role_id} is already assigned to group {group_id} in project {project_id}"
GROUP_NOT_ASSIGNED_MESSAGE = "Role {role_id} is not assigned to group {group_id} in project {project_id}"
# Removing a group's project access removes its role assignments there; deleting a group
# removes its users, its project grants and their role assignments. A user who leaves the
# organization leaves every group too.

# What a group's project grant does to its users' visible access (UNCONFIRMED, decided here
# once; the emulator and every reader follow these two flags):
# * GROUP_USERS_LISTED_AS_PROJECT_USERS False: GET /organization/projects/{p}/users lists
#   direct memberships only. A user who reaches the project only through a group is not
#   listed there (and is a 404 on GET .../users/{u}); direct membership and group access are
#   independent, so removing a direct membership leaves the group's access, and removing a
#   user from a group leaves their direct membership.
# * GROUP_ROLES_LISTED_FOR_USERS False: a user's project role listing shows direct
#   assignments only (`assignment_sources` null). Should the real API also list roles held
#   through a group (with `assignment_sources` naming it), readers already ignore any listed
#   role that has assignment sources: it is not the user's own assignment.
# Readers therefore learn group access only from the group routes (project groups, group
# users, group roles), never from the project users or user roles routes.
GROUP_USERS_LISTED_AS_PROJECT_USERS = False
GROUP_ROLES_LISTED_FOR_USERS = False
# --- Projects and custom project roles (issue 20) ------------------------------------------
# A project is created with a name (and optionally residency and external_key_id); it is
# renamed (and its external_key_id changed) in place; it is archived, never deleted
# (reference: "Projects can be created and archived, but cannot be deleted"). Names are not
# unique. An empty or blank name is a 400 naming `name`. Archiving an archived project is
# a 400 with this fragment (unconfirmed; the providers treat it as done); renaming an archived
# project is the ARCHIVED_PROJECT 400.
PROJECT_NAME_MAX_LENGTH = 255  # unconfirmed by any source: a generous bound that catches mistakes
ALREADY_ARCHIVED_STATUS = 400
ALREADY_ARCHIVED_FRAGMENT = "is already archived"
ALREADY_ARCHIVED_MESSAGE = "Project {project_id} is already archived"
# The residency values: the reference says "enum" without listing them; these are the ones
# openai-python types (`ProjectResidency`). Another value is a 400 naming `residency`. It
# cannot change after the create (the update body has no such field).
PROJECT_RESIDENCIES = (
    "GLOBAL", "US_STORAGE_PROCESSING", "EU_STORAGE_PROCESSING", "JP_STORAGE", "JP_STORAGE_PROCESSING",
    "KR_STORAGE", "CA_STORAGE", "SG_STORAGE", "IN_STORAGE", "IN_STORAGE_PROCESSING", "AU_STORAGE",
    "AU_STORAGE_PROCESSING", "GB_STORAGE", "AE_STORAGE", "AE_STORAGE_PROCESSING",
)

# Custom project roles: a role's name is unique among the project's custom roles (unconfirmed):
# creating or renaming to a name in use is a 400 with this fragment. `permissions` must be a
# non-empty list of non-empty strings (400 naming it).
ROLE_NAME_TAKEN_STATUS = 400
ROLE_NAME_TAKEN_FRAGMENT = "already has a role named"
ROLE_NAME_TAKEN_MESSAGE = "Project {project_id} already has a role named '{role_name}'"
# Deleting a custom role that is still assigned to someone in the project (UNCONFIRMED: the
# API may as well drop the assignments with the role). Decided: refused with a 400 naming how
# many assignments hold it, so nothing loses access as a side effect; the providers unassign
# first (memberships depend on the roles they carry) and report this refusal as an
# assignment made outside the stack.
ROLE_STILL_ASSIGNED_STATUS = 400
ROLE_STILL_ASSIGNED_FRAGMENT = "is still assigned"
ROLE_STILL_ASSIGNED_MESSAGE = "Role {role_id} is still assigned to {count} principal(s) in project {project_id}"
# Predefined roles cannot be changed or deleted: 400 (unconfirmed). A custom role of another
# project, or an unknown id, is the UNKNOWN_ROLE 404 on the role's own paths.
PREDEFINED_ROLE_READ_ONLY_STATUS = 400
PREDEFINED_ROLE_READ_ONLY_MESSAGE = "Role {role_id} is predefined and cannot be changed or deleted"

# --- Invites (issue 21) ---------------------------------------------------------------------
# The invite list is a legacy list (first/last id, 1..100, default 20), as the reference says.
# Organization roles an invite may give; project roles it may name per project.
ORGANIZATION_ROLES = ("owner", "reader")
INVITE_PROJECT_ROLES = ("member", "owner")
# How long an invite stays pending before it expires by itself: 7 days (UNCONFIRMED: the API
# answers `expires_at`, and the providers read that, never this figure).
INVITE_LIFETIME_SECONDS = 7 * 24 * 3600
# An invite's status: pending until accepted or until `expires_at` (then expired).
INVITE_STATUSES = ("pending", "accepted", "expired")
# Inviting an address that already has a pending invite: 400 (UNCONFIRMED). The providers
# never send it knowingly (they list the invites first and take a pending one over); after a
# write whose answer was lost, this error means that attempt created the invite.
INVITE_PENDING_STATUS = 400
INVITE_PENDING_FRAGMENT = "already has a pending invite"
INVITE_PENDING_MESSAGE = "{email} already has a pending invite"
# Inviting an address that is already an organization user: 400 (UNCONFIRMED).
ALREADY_IN_ORGANIZATION_STATUS = 400
ALREADY_IN_ORGANIZATION_FRAGMENT = "is already a member of the organization"
ALREADY_IN_ORGANIZATION_MESSAGE = "{email} is already a member of the organization"
# Deleting an accepted invite: 400 with this fragment (the reference: "If the invite has
# already been accepted, it cannot be deleted"; [TF-MK] matches "already accepted"; the
# status is UNCONFIRMED). Expired and pending invites can be deleted.
INVITE_ACCEPTED_STATUS = 400
INVITE_ACCEPTED_FRAGMENT = "already accepted"
INVITE_ACCEPTED_MESSAGE = "Invite {invite_id} was already accepted and cannot be deleted"
UNKNOWN_INVITE_STATUS = 404
UNKNOWN_INVITE_MESSAGE = "No invite found with id '{invite_id}'"
# `projects` omitted on create: the reference says "the default project"; the emulator has no
# default project and treats it as [] (UNCONFIRMED; the providers always send the list).
# Acceptance (what the person does, the emulator's control route): the organization user is
# created with the invite's role, with a membership of each project the invite names, in the
# invite's role there (UNCONFIRMED: the exact effect of acceptance is not documented). No
# project role assignment comes with it. An accepted invite stays listed as accepted.
# Emails are matched case-insensitively (EMAIL_MATCH_IS_CASE_INSENSITIVE) for invites too.

# --- Removing people from the organization (issue 21) -----------------------------------
# DELETE /organization/users/{user_id} removes the user with their project memberships and role
# assignments. Removing the organization's last owner is refused: 400 with this fragment
# (UNCONFIRMED; the providers never remove an owner in any case).
LAST_OWNER_STATUS = 400
LAST_OWNER_FRAGMENT = "last owner of the organization"
LAST_OWNER_MESSAGE = "User {user_id} is the last owner of the organization and cannot be removed"
# An unknown user is the UNKNOWN_USER 404; after a removal whose answer was lost that means done.
