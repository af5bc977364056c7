"""A workaround, for the benchmark's program process only, of a Pulumi Python SDK bug that
stops any program from declaring more than about 980 dynamic resources.

``pulumi.dynamic.dynamic.serialize_provider`` (pulumi 3.272.0, the newest on PyPI when this
was written) makes pickling deterministic by patching ``pickle._Pickler._batch_setitems``
with a wrapper that sorts and then calls the method it found there, and it never puts the
original back. The next dynamic resource wraps the wrapper, and so on: after N resources,
pickling the provider's (empty) state goes N calls deep, so every ``Resource.__init__`` costs
O(N) and the ~985th raises ``RecursionError: maximum recursion depth exceeded`` (the program
fails, and with it preview, up and destroy of a stack of that size).

The workaround runs the SDK's ``serialize_provider`` unchanged and afterwards restores the two
``pickle._Pickler`` attributes it patches, so the wrapper never stacks up. The same few lines
belong in the providers (see README.md, "Findings"); once they are there this is a no-op.
"""

from __future__ import annotations

import pickle
from typing import Any

from pulumi.dynamic import dynamic

_MARK = "_bench_restores_pickler"


def leaks_pickler_patch() -> bool:
    """Whether the SDK's ``serialize_provider`` leaves ``pickle._Pickler`` patched."""
    from pulumi_openai_access.providers.project_user import ProjectUserProvider

    before = pickle._Pickler._batch_setitems  # type: ignore[attr-defined]
    dynamic.serialize_provider(ProjectUserProvider())
    leaked = pickle._Pickler._batch_setitems is not before  # type: ignore[attr-defined]
    pickle._Pickler._batch_setitems = before  # type: ignore[attr-defined]
    return leaked


def install() -> bool:
    """Wrap ``serialize_provider`` so that it undoes its pickle patch; True if installed now."""
    if getattr(dynamic.serialize_provider, _MARK, False):
        return False
    original = dynamic.serialize_provider

    def serialize_provider(provider: Any) -> str:
        saved = pickle._Pickler._batch_setitems, pickle._Pickler.save_dict  # type: ignore[attr-defined]
        try:
            return original(provider)
        finally:
            pickle._Pickler._batch_setitems, pickle._Pickler.save_dict = saved  # type: ignore[attr-defined]

    setattr(serialize_provider, _MARK, True)
    dynamic.serialize_provider = serialize_provider
    return True
