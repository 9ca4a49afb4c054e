"""`collectstatic` with the production static storage (hashed names + manifest) succeeds on a clean checkout:
every file that a CSS or JS file refers to (source maps included) is shipped."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

from django.core.management import call_command
from django.test import override_settings

ROOT = Path(__file__).resolve().parent.parent


def _production_static_backend(tmp_path) -> str:
    """The staticfiles backend that the settings choose with DEBUG off, outside pytest."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "VAR_DIR": str(tmp_path),
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "intervisie.example.org",
    }
    code = "from intervisie import settings; print(settings.STORAGES['staticfiles']['BACKEND'])"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_collectstatic_with_the_manifest_storage(tmp_path):
    backend = _production_static_backend(tmp_path)
    assert "Manifest" in backend
    static_root = tmp_path / "static"
    storages = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": backend},
    }
    # Compressing (gzip/brotli) is what takes time and cannot fail on a missing file: skip it here.
    skip = ["css", "js", "map", "svg", "txt", "html", "json", "xml", "woff", "woff2", "ttf", "eot"]
    with override_settings(
        STATIC_ROOT=static_root, STORAGES=storages, WHITENOISE_SKIP_COMPRESS_EXTENSIONS=skip
    ):
        call_command("collectstatic", interactive=False, verbosity=0)

    paths = json.loads((static_root / "staticfiles.json").read_text())["paths"]
    for name in (
        "vendor/bootstrap/bootstrap.min.css",
        "vendor/bootstrap/bootstrap.bundle.min.js",
        "vendor/chartjs/chart.umd.min.js",
        "vendor/htmx/htmx.min.js",
    ):
        assert (static_root / paths[name]).is_file()
    # The hashed script points at the hashed map, which is there.
    bundle = (static_root / paths["vendor/bootstrap/bootstrap.bundle.min.js"]).read_text()
    hashed_map = paths["vendor/bootstrap/bootstrap.bundle.min.js.map"]
    assert f"sourceMappingURL={Path(hashed_map).name}" in bundle
    assert (static_root / hashed_map).is_file()
