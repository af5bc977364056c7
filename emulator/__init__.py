"""An emulator of the OpenAI Admin API endpoints this project manages.

Run it with ``python -m pulumi_openai_access.emulator`` (``--help`` lists the options). It
serves the project-user, role-assignment, user, role and project endpoints under ``/v1``
with the real API's JSON shapes, and the statuses and messages decided in
``pulumi_openai_access.providers.admin_api.behaviour`` for what no source confirms. Test
knobs (rate limits, faults, latency) and state inspection live under ``/_emulator``.

Modules: ``cli`` (command line), ``app`` (request pipeline), ``api`` (routes and
handlers), ``control`` (/_emulator routes), ``store`` (operations on the state), ``model``
(records), ``shapes`` (JSON shapes), ``pagination``, ``inputs`` (request validation),
``seed`` (seed format, loading and dumping), ``knobs`` (faults, rate limits, latency),
``counters``, ``persistence`` (the --state file), ``ids``, ``errors``.
"""
