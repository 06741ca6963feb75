"""aiflab: data preparation for AI Factory Data Labs.

    from aiflab import Recipe, run, discover
    recipe = Recipe.from_yaml("recipes/health-patients.yaml")
    result = run(recipe)
    profiled = discover.profile(df)          # any stage, on its own, on a DataFrame
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["Recipe", "Table", "__version__", "discover", "run", "validate"]

if TYPE_CHECKING:
    from aiflab import discover, validate
    from aiflab.pipeline.recipe import Recipe
    from aiflab.pipeline.runner import run
    from aiflab.pipeline.table import Table

_LAZY = {"Recipe": "aiflab.pipeline.recipe", "run": "aiflab.pipeline.runner",
         "Table": "aiflab.pipeline.table", "discover": "aiflab.discover",
         "validate": "aiflab.validate"}


def __getattr__(name: str) -> Any:
    """Import on first use, so that `import aiflab` and `aiflab --help` stay instant."""
    if name not in _LAZY:
        raise AttributeError(f"module 'aiflab' has no attribute {name!r}")
    module = import_module(_LAZY[name])
    return module if module.__name__.endswith(name) else getattr(module, name)
