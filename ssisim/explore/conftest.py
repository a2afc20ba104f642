"""pytest: the Panel layer's modules are collected (for doctests) only where Panel is installed.

Panel is the optional ``explore`` extra; the state layer (``model``, ``runs``,
``room``) is tested without it.
"""

from __future__ import annotations

import importlib.util

collect_ignore = [] if importlib.util.find_spec("panel") else ["app.py", "figures.py"]
