"""What a server process does once Django is set up, before its first request.

`settle()` imports every URLconf and view (Django would on the first request), collects
what the imports left behind, and freezes every object alive at that point out of the
cyclic garbage collector's generations (`gc.freeze`). A city-scale process holds a few
hundred thousand such objects (modules, classes, templates, translations): each full
collection scanned them all, a pause of about 100 ms that fell on whichever request was
running then — the slowest of every twenty requests at city scale took twice the others
(bench/README.md, "page latency"). Frozen, they are never scanned again; in a server
that forks after loading they also stay shared between workers instead of being
copied by the collector's writes."""

import gc


def settle() -> None:
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018  (the import of every app's views)
    gc.collect()
    gc.freeze()
