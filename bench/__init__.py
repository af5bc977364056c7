"""Request-cost benchmark of the providers against the Admin API emulator (see README.md).

A package so that the engine's provider process can unpickle ``bench.naive_providers``
(the benchmark puts the repository root on its PYTHONPATH).
"""
