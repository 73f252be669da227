"""A server process settles before its first request (jiceng.startup): every view is
imported and what is loaded is frozen out of the garbage collector's generations, so
that full collections no longer pause requests to scan it."""

import gc
import importlib
import sys


def test_loading_the_wsgi_application_settles_the_process():
    gc.unfreeze()
    sys.modules.pop("jiceng.wsgi", None)
    try:
        module = importlib.import_module("jiceng.wsgi")
        assert callable(module.application)
        assert gc.get_freeze_count() > 10_000  # modules, classes, templates: all frozen
        assert "jiceng.appeals.views" in sys.modules  # every URLconf's views imported
    finally:
        gc.unfreeze()  # the rest of the suite runs as before
