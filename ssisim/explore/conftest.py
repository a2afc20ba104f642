"""pytest: the Panel layer's modules are not collected for doctests.

They hold none, and importing them costs Panel and Bokeh (about 1.4 s in every
test worker) for nothing: the browser tests (``tests/test_explore_browser.py``,
marked ``browser``) import and drive them. The state layer (``model``,
``runs``, ``room``) is collected and tested without Panel.
"""

from __future__ import annotations

collect_ignore = ["app.py", "figures.py"]
