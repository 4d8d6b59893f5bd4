"""Benchmarks of the bot as Slack sees it: ``python -m bench`` (see BENCHMARKS.md)."""
