"""OpenAPI keys its schemas by class name: two request schemas of the same name in two
apps become one in the document, and a client is told one operation takes the other's
fields (the orgs' EndIn was shown with orglife's `reason`). Every request body schema
of the API has a name of its own."""

from collections import defaultdict

from jiceng.core.field_inventory import write_operations


def test_request_schemas_have_names_of_their_own():
    by_name = defaultdict(set)
    for _method, _path, body in write_operations():
        by_name[body.__name__].add(f"{body.__module__}.{body.__qualname__}")
    shared = {name: sorted(paths) for name, paths in by_name.items() if len(paths) > 1}
    assert shared == {}
