"""YAML data files read with libyaml where it is installed: the registry, watchlist and
source files take a quarter of a second to read in pure Python, at every start."""

from __future__ import annotations

from typing import Any

import yaml

_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(text: str) -> Any:
    """``yaml.safe_load`` of ``text``: plain data only, the same ``yaml.YAMLError``s."""
    return yaml.load(text, Loader=_LOADER)
