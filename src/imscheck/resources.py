"""Where the shipped rules/ and schemas/ folders are.

Installed from a wheel they sit inside the package (``imscheck/_data``); in a checkout or an
editable install they are the top-level folders of the repository.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


@cache
def data_dir(name: str) -> Path:
    """Return the directory of shipped data ``name`` (``rules`` or ``schemas``)."""
    for candidate in (_PACKAGE_DIR / "_data" / name, _PACKAGE_DIR.parents[1] / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"imscheck installation is incomplete: no {name}/ directory")


def rules_dir() -> Path:
    return data_dir("rules")


def schemas_dir() -> Path:
    return data_dir("schemas")


def is_shipped(path: Path) -> bool:
    """True for a data file that ships with imscheck (validated by its test suite, not on every run)."""
    try:
        path.resolve().relative_to(rules_dir().resolve())
    except ValueError:
        return False
    return True
