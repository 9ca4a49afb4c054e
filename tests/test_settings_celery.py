"""Celery: the reliability settings, the beat schedule in code, and the heartbeat task run by a real
worker, on Redis (the production broker) and on kombu's filesystem transport (the laptop default)."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.cache import cache

from groups.tasks import heartbeat
from intervisie.celery import app

ROOT = Path(__file__).resolve().parent.parent
CELERY = [sys.executable, "-m", "celery", "-A", "intervisie"]


def test_reliability_settings():
    conf = app.conf
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1
    assert conf.task_serializer == "json" and conf.result_serializer == "json"
    assert list(conf.accept_content) == ["json"]
    assert conf.task_time_limit == 300 and conf.task_soft_time_limit == 240
    assert conf.task_soft_time_limit < conf.task_time_limit
    assert conf.timezone == "UTC" and conf.enable_utc is True


def test_a_pool_process_freezes_its_start_up_heap_and_collects_young_objects_less_often():
    import gc

    from celery.signals import worker_process_init

    from intervisie.celery import WORKER_GC_THRESHOLD

    threshold = gc.get_threshold()
    try:
        worker_process_init.send(sender=None)  # what a prefork pool process sends once it has started
        assert gc.get_freeze_count() > 10_000
        assert gc.get_threshold() == (WORKER_GC_THRESHOLD, *threshold[1:])
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)


def test_beat_schedule_is_in_code(db):
    # Autodiscovery of every app's tasks.py, as the worker does; Celery's Django fix-up then runs the model
    # checks, which ask the database what it supports (SQLite: JSON).
    app.loader.import_default_modules()
    entry = app.conf.beat_schedule["heartbeat"]
    assert entry["task"] == "groups.tasks.heartbeat"
    assert entry["schedule"] == 60.0
    assert "django_celery_beat" not in " ".join(app.conf.get("beat_scheduler") or "")
    assert heartbeat.name in app.tasks
    for name, entry in app.conf.beat_schedule.items():
        assert entry["task"] in app.tasks, f"beat entry {name} names an unknown task"


def test_heartbeat_stores_the_time():
    cache.delete("celery-heartbeat")
    stamp = heartbeat()
    assert cache.get("celery-heartbeat") == stamp


def _wait_for(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.3)
    return False


def _stop(*processes: subprocess.Popen) -> None:
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.mark.integration
def test_worker_runs_heartbeat_on_redis(tmp_path):
    cache.delete("celery-heartbeat")
    app.control.purge()  # leftovers of earlier tests must not run against a real database
    log = (tmp_path / "worker.log").open("w+")
    worker = subprocess.Popen(
        [*CELERY, "worker", "--pool=solo", "--loglevel=INFO", "--without-gossip", "--without-mingle"],
        cwd=ROOT,
        env={**os.environ, "VAR_DIR": str(tmp_path)},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        heartbeat.delay()
        assert _wait_for(lambda: cache.get("celery-heartbeat") is not None, 120), (
            tmp_path / "worker.log"
        ).read_text()
    finally:
        _stop(worker)
    assert "groups.tasks.heartbeat" in (tmp_path / "worker.log").read_text()


def test_beat_and_worker_on_the_filesystem_broker(tmp_path):
    """The laptop setup of `make run`: no server, beat sends the heartbeat, the worker runs it."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "DEBUG": "1",
        "VAR_DIR": str(tmp_path),
        "CELERY_HEARTBEAT_SECONDS": "1",
        "PYTHONUNBUFFERED": "1",
    }
    for folder in ("broker/queue", "broker/processed", "broker/control"):
        (tmp_path / folder).mkdir(parents=True)
    worker_log, beat_log = tmp_path / "worker.log", tmp_path / "beat.log"
    worker = subprocess.Popen(
        [*CELERY, "worker", "--pool=solo", "--loglevel=INFO"],
        cwd=ROOT,
        env=env,
        stdout=worker_log.open("w"),
        stderr=subprocess.STDOUT,
    )
    beat = subprocess.Popen(
        [*CELERY, "beat", "--loglevel=INFO"],
        cwd=ROOT,
        env=env,
        stdout=beat_log.open("w"),
        stderr=subprocess.STDOUT,
    )
    try:
        done = _wait_for(
            lambda: (
                "Task groups.tasks.heartbeat[" in worker_log.read_text()
                and "succeeded" in worker_log.read_text()
            ),
            120,
        )
        assert done, f"worker:\n{worker_log.read_text()}\nbeat:\n{beat_log.read_text()}"
    finally:
        _stop(worker, beat)
    assert "Sending due task heartbeat" in beat_log.read_text()
    assert "No hostname was supplied" not in worker_log.read_text()
