"""Output directories: refuse to mix a new export into an old one, and print what was written."""
from __future__ import annotations

import os
import shutil
from pathlib import Path


class OutputExists(SystemExit):
    """Exit status 1 with the message on stderr (SystemExit prints a string code)."""

    def __init__(self, path: Path):
        super().__init__(f"error: {path} exists and is not empty; choose another --out or pass --force to replace it")


def prepare(path: str | os.PathLike, force: bool) -> Path:
    """Creates `path`; an existing non-empty directory is an error unless `force`, which empties it
    (a stale model.onnx_data next to a new graph would be read as its weights)."""
    path = Path(path)
    if path.exists() and any(path.iterdir()):
        if not force:
            raise OutputExists(path)
        shutil.rmtree(path)
    path.mkdir(parents=True, exist_ok=True)
    return path


def size_of(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def human(size: int) -> str:
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:.1f} {unit}" if unit != "B" else f"{int(value)} B"
        value /= 1024
    return f"{value:.1f} GiB"


def tree(path: str | os.PathLike) -> str:
    """The files under `path` with their sizes, one per line, and the total."""
    path = Path(path)
    lines = []
    for file in sorted(p for p in path.rglob("*") if p.is_file()):
        lines.append(f"  {file.relative_to(path)}  {human(file.stat().st_size)}")
    lines.append(f"  total {human(size_of(path))}")
    return "\n".join(lines)
