"""Transitional alias: the emulator's process helper now ships in the package."""

from pulumi_openai_access.emulator.process import *  # noqa: F401,F403
from pulumi_openai_access.emulator.process import SAMPLE, EmulatorProcess, Fault, RequestCounts  # noqa: F401
