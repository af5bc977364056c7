"""OpenAI organization access as code, with Pulumi.

``pulumi_openai_access.providers`` (the dynamic resources), ``.components`` (teams and the
stack program), ``.emulator`` (the Admin API emulator) and ``.cli`` (the ``openai-access``
command). Nothing is imported here: the provider process loads this package first.
"""
