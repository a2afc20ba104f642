"""Where the command line lived before it was split; kept so that old imports work.

Use :mod:`ssisim.cli.main`.
"""

from ssisim.cli.main import cli, main

__all__ = ["cli", "main"]
