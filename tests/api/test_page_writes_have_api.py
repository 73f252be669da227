"""Every write a page offers is an API operation (DESIGN: Interoperability; STYLE 15).

Read from the source: for each app, the public functions of its services are the writes;
the ones its pages call (views modules) must also be called by its API modules (api.py,
*_api.py), or be dispatched from an action table both sides use (states.py, actions.py,
which the page and the API read alike). What is left must be on ALLOWED with its reason,
or on NOT_YET: the writes still missing from the API, each a line of issue 18. NOT_YET
only shrinks: a write that gains its API operation must leave it, and a new page write
without one fails here."""

import ast
import pathlib

import pytest

SRC = pathlib.Path(__file__).resolve().parents[2] / "src" / "jiceng"

ALLOWED: dict[str, str] = {
    # Signing in and out and the second factor are the session's own steps: a client
    # program uses the session those pages open (or, for a system, a token of its own).
    "accounts.login_record": "the sign-in page's own bookkeeping",
    "accounts.login_failure_record": "the sign-in page's own bookkeeping",
    "accounts.logout_record": "the sign-out page's own bookkeeping",
    "accounts.otp_attempt_record": "the second-factor page's own bookkeeping",
    # The second factor is enrolled in a browser by its holder, never by a program.
    "accounts.totp_device_create": "enrolled by its holder in the browser",
    "accounts.totp_device_confirm": "enrolled by its holder in the browser",
    # Reads that live among the services because they share their checks; no write.
    "cobuild.check_pair": "checks a need-resource pair, writes nothing",
    "cobuild.resource_used_capacity": "reads a resource's capacity in use, writes nothing",
    # The API's POST /api/cobuild/needs calls need_submit, of which need_create is the
    # page's shorthand (the need without the created flag the API answers 200/201 by).
    "cobuild.need_create": "the API calls need_submit, the same write with its created flag",
}

# Empty since the venues' operations (issue 18 done). It only shrinks, so it stays
# empty: a new page write comes with its API operation, or fails the test below.
NOT_YET: set[str] = set()


def _apps() -> list[pathlib.Path]:
    return sorted(p for p in SRC.iterdir() if (p / "apps.py").exists())


def _service_names(app: pathlib.Path) -> set[str]:
    files = [app / "services.py"] if (app / "services.py").exists() else []
    if (app / "services").is_dir():
        files = [f for f in (app / "services").glob("*.py") if f.name != "__init__.py"]
    names = set()
    for path in files:
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
                names.add(node.name)
    return names


def _referenced(paths, names: set[str]) -> set[str]:
    found = set()
    for path in paths:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        # A bare name of a function the module defines itself is that function (a view
        # called like the service it calls, `booking_create`), not the service.
        own = {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Name) and node.id in own:
                continue
            name = getattr(node, "attr", None) or getattr(node, "id", None)
            if isinstance(node, ast.alias):
                name = node.name
            if name in names:
                found.add(name)
    return found


def _modules(app: pathlib.Path, keep) -> list[pathlib.Path]:
    return [
        p for p in app.rglob("*.py") if "migrations" not in p.parts and keep(p.relative_to(app))
    ]


def _is_view(relative: pathlib.PurePath) -> bool:
    return "views" in relative.stem or "views" in relative.parts[:-1]


def _is_api(relative: pathlib.PurePath) -> bool:
    return relative.stem == "api" or relative.stem.endswith("_api")


def _is_table(relative: pathlib.PurePath) -> bool:
    return relative.name in ("states.py", "actions.py")


def page_writes_without_api() -> set[str]:
    missing = set()
    for app in _apps():
        names = _service_names(app)
        if not names:
            continue
        page = _referenced(_modules(app, _is_view), names)
        both = _referenced(_modules(app, _is_api), names)
        both |= _referenced(_modules(app, _is_table), names)
        missing |= {f"{app.name}.{name}" for name in page - both}
    return missing


def test_every_page_write_has_an_api_operation():
    missing = page_writes_without_api() - set(ALLOWED)
    assert missing - NOT_YET == set(), "page writes without an API operation"
    assert NOT_YET - missing == set(), "these have their API operation now: drop them"


@pytest.mark.parametrize("name", sorted(ALLOWED))
def test_each_exception_is_still_a_service(name):
    app, service = name.split(".")
    assert service in _service_names(SRC / app), f"{name} is gone: drop it from ALLOWED"


def test_the_reading_sees_a_missing_operation(tmp_path, monkeypatch):
    """The rule itself: a page calling a service the API does not is found; one the API
    calls too is not, nor a view that only shares a service's name."""
    app = tmp_path / "shop"
    (app / "services").mkdir(parents=True)
    (app / "apps.py").write_text("")
    (app / "services" / "orders.py").write_text(
        "def order_pay(): ...\ndef order_ship(): ...\ndef order_refund(): ...\n"
    )
    (app / "views.py").write_text(
        "from shop import services\nservices.order_pay()\nservices.order_refund()\n"
        "def order_ship(request): ...\nACTIONS = {'ship': order_ship}\n"
    )
    (app / "api.py").write_text("from shop import services\nservices.order_refund()\n")
    monkeypatch.setattr(__import__(__name__, fromlist=["SRC"]), "SRC", tmp_path)
    assert page_writes_without_api() == {"shop.order_pay"}
