"""Who sees what: every co-building object against every role of the territory fixture.
Out of scope answers exactly like a missing id (404)."""

import pytest

from jiceng.core.errors import NotFound
from jiceng.core.scope import scope_for

TERRITORY_STAFF = ("superuser", "city_admin", "xh_admin", "xh_s1_staff", "xh_c1_secretary")
OUTSIDERS = (
    "hp_admin",
    "hp_s1_staff",
    "xh_c3_secretary",
    "xh_g1_worker",
    "xh_member",
    "xh_resident",
    "nobody",
)


def test_visibility_matrix(world, objects):
    users = world.t.users
    for name, (getter, obj, unit_sees) in objects.items():
        staff, outsiders = TERRITORY_STAFF, OUTSIDERS
        if name == "run":  # the street's run; a community sees its own proposals only
            staff, outsiders = staff[:-1], (*outsiders, staff[-1])
        for key in staff:
            assert getter(users[key], obj.pk) == obj, (name, key)
        for key in outsiders:
            with pytest.raises(NotFound):
                getter(users[key], obj.pk)
        if unit_sees:
            assert getter(users["xh_unit_secretary"], obj.pk) == obj, name
        else:
            with pytest.raises(NotFound):
                getter(users["xh_unit_secretary"], obj.pk)
        # An id that does not exist answers the same as one out of scope.
        with pytest.raises(NotFound):
            getter(users["xh_s1_staff"], obj.pk + 10_000)
        with pytest.raises(NotFound):
            getter(users["xh_s1_staff"], "not-a-number")


def test_every_model_is_registered(world):
    from django.apps import apps

    scope = scope_for(world.t.users["xh_s1_staff"])
    for model in apps.get_app_config("cobuild").get_models():
        scope.filter(model._default_manager.all()).count()  # raises if not registered
