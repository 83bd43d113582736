"""Lazy imports of the heavy packages, with an error that names the requirements file to install."""
from __future__ import annotations

import importlib
import importlib.metadata
import re
import sys
from pathlib import Path

EXPORT_DIR = Path(__file__).resolve().parent.parent


MISSING_DEPENDENCY_STATUS = 3


class MissingDependency(SystemExit):
    """A clean exit with status 3 when a package a script needs is not installed; the message has
    already been printed to stderr (SystemExit prints nothing for an integer code)."""

    def __init__(self, message: str):
        print(message, file=sys.stderr)
        super().__init__(MISSING_DEPENDENCY_STATUS)
        self.message = message


def requirements_path(name: str) -> str:
    """Path of a requirements file of tools/export, relative to the current directory when possible."""
    path = EXPORT_DIR / name
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def require(modules: list[str], requirements: str, note: str = "") -> dict:
    """Imports `modules` (import names) and returns them by name; if any is missing, exits with a
    message that lists the missing ones and the `pip install -r` line that provides them."""
    loaded, missing = {}, []
    for name in modules:
        try:
            loaded[name] = importlib.import_module(name)
        except ImportError as error:  # also catches a broken install that fails inside the package
            missing.append(f"{name} ({error})")
    if missing:
        lines = [
            f"{Path(sys.argv[0]).name} needs Python packages that are not installed:",
            *(f"  - {m}" for m in missing),
            "Install the pinned set into a virtual environment, then run the script again:",
            "  python -m venv .venv-export && . .venv-export/bin/activate",
            f"  pip install -r {requirements_path(requirements)}",
        ]
        if note:
            lines.append(f"  ({note})")
        raise MissingDependency("\n".join(lines))
    return loaded


def installed_version(distribution: str) -> str | None:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None


_PIN = re.compile(r"^\s*([A-Za-z0-9_.\-\[\]]+?)\s*==\s*([^\s;#]+)")


def read_pins(requirements: str) -> dict[str, str]:
    """`name==version` lines of a requirements file (extras stripped, names normalised per PEP 503)."""
    pins = {}
    for line in (EXPORT_DIR / requirements).read_text(encoding="utf-8").splitlines():
        match = _PIN.match(line)
        if match:
            name = re.sub(r"\[.*\]", "", match.group(1))
            pins[normalise(name)] = match.group(2)
    return pins


def normalise(distribution: str) -> str:
    return re.sub(r"[-_.]+", "-", distribution).lower()


def version_report(requirements: str) -> tuple[dict[str, str | None], list[str]]:
    """Installed versions of the packages pinned in `requirements`, and one line per package whose
    installed version differs from the pin (the exports were checked against the pinned set only)."""
    installed, drift = {}, []
    for name, pinned in read_pins(requirements).items():
        have = installed_version(name)
        installed[name] = have
        if have is not None and have.split("+")[0] != pinned:
            drift.append(f"{name} {have} is installed, {requirements} pins {pinned}")
    return installed, drift


def warn_version_drift(requirements: str) -> dict[str, str | None]:
    installed, drift = version_report(requirements)
    for line in drift:
        print(f"warning: {line}", file=sys.stderr)
    return installed
