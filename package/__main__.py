"""``python -m pulumi_openai_access``: the ``openai-access`` command."""

import sys

from pulumi_openai_access.cli.main import main

sys.exit(main())
