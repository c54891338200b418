"""Speed ratios measured within one run: measure.py takes them, `python -m repcore.bench` prints them."""
