"""A workaround for the pulumi SDK's pickling of dynamic providers (pulumi 3.272.0)."""

from __future__ import annotations

import pickle
from contextlib import contextmanager
from typing import Iterator


@contextmanager
def pickler_restored() -> Iterator[None]:
    """Undo the pickle patch that registering a dynamic resource leaves behind.

    The SDK's ``serialize_provider`` (pulumi 3.272.0) wraps ``pickle._Pickler._batch_setitems``
    to sort dictionaries and never restores it: each dynamic resource wraps the wrapper
    again, so registration gets slower with every resource and the ~980th fails with
    RecursionError. Restoring the two attributes after each registration keeps it flat.
    """
    saved = pickle._Pickler._batch_setitems, pickle._Pickler.save_dict  # type: ignore[attr-defined]
    try:
        yield
    finally:
        pickle._Pickler._batch_setitems, pickle._Pickler.save_dict = saved  # type: ignore[attr-defined]
