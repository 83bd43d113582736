"""seedgrid-export.json: what produced an exported directory (source checkpoint, settings, versions).

It sits next to the model files and is read by people and by export_dmd2_unet.py (which exports its
UNet with the settings recorded for the base). seedgrid's Java side does not need it.
"""
from __future__ import annotations

import datetime
import json
import os
import platform
import sys
from pathlib import Path

from . import deps

PROVENANCE_FILE = "seedgrid-export.json"
FORMAT = "seedgrid-export/1"
# installed alternatives of pinned packages, recorded when present (requirements-sdxl-cuda.txt)
OPTIONAL_DISTRIBUTIONS = ("onnxruntime-gpu",)


def make(kind: str, source: dict, settings: dict, requirements: str, extra: dict | None = None) -> dict:
    versions, drift = deps.version_report(requirements)
    for optional in OPTIONAL_DISTRIBUTIONS:
        versions.setdefault(optional, deps.installed_version(optional))
    record = {
        "format": FORMAT,
        "kind": kind,
        "source": source,
        "settings": settings,
        "exported_by": os.path.relpath(os.path.abspath(sys.argv[0]), deps.EXPORT_DIR.parent.parent)
        if sys.argv and sys.argv[0] else None,
        "exported_at": datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0).isoformat(),
        "python": platform.python_version(),
        "requirements": requirements,
        "versions": {name: version for name, version in versions.items() if version is not None},
        "version_drift": drift,
    }
    if extra:
        record.update(extra)
    return record


def write(directory: str | os.PathLike, record: dict, filename: str = PROVENANCE_FILE) -> Path:
    path = Path(directory) / filename
    path.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    return path


def read(directory: str | os.PathLike, filename: str = PROVENANCE_FILE) -> dict | None:
    path = Path(directory) / filename
    if not path.is_file():
        return None
    record = json.loads(path.read_text(encoding="utf-8"))
    if record.get("format") != FORMAT:
        raise ValueError(f"{path} has format {record.get('format')!r}, expected {FORMAT!r}")
    return record
