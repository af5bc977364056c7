"""Pulumi dynamic providers for OpenAI project memberships and role assignments.

Import this package as ``pulumi_openai_access.providers``. Its classes are pickled into stack
state by module path, so loading it under any other name (such as ``providers`` from the
repository root) would write state that other installations cannot read.
"""

if __name__ != "pulumi_openai_access.providers":
    raise ImportError(
        "import this package as 'pulumi_openai_access.providers' (run `pip install -e .`), "
        f"not as {__name__!r}: provider classes are pickled into stack state by module path"
    )
