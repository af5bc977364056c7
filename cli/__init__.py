"""The ``openai-access`` command: ``discover`` an organization's access as a spec, ``audit``
a spec against the organization, run the ``emulator``. Import as ``pulumi_openai_access.cli``."""
