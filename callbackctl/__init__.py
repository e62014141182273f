"""callbackctl: the after-sales callback desk over one SQLite file."""

import os as _os

__version__ = "0.1.0"

# In a source checkout cli/, migrations/ and fixtures/ sit beside this folder
# and are installed inside the package (setup.py's package_dir). When Python
# imports the checkout's folder instead of the installed package (python -m
# callbackctl from the repository root), find them there too.
_root = _os.path.dirname(_os.path.dirname(_os.path.abspath(__file__)))
if _os.path.isfile(_os.path.join(_root, "setup.py")) and _os.path.isfile(_os.path.join(_root, "cli", "__init__.py")):
    __path__.append(_root)  # noqa: F821 - a package's own __path__
