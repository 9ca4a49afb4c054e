"""Bench-only settings for bench_live_poll.py (never used in production): the real settings with a
bench-only URLconf that adds a bare "hello" view."""

from intervisie.settings import *  # noqa: F403

ROOT_URLCONF = "bench.live_poll_urls"
