"""Commands run from a checkout: `python -m scripts.demo`, `python -m scripts.stack`."""
