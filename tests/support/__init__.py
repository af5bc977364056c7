"""Test helpers shared by the test modules (see ``emulator`` for the Admin API emulator)."""
