from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlacesConfig(AppConfig):
    name = "jiceng.places"
    label = "places"
    verbose_name = _("标准地址与定位")

    def ready(self) -> None:
        from jiceng.core import scope
        from jiceng.places import models

        # An alias is seen where its target is: the address's building, or the area.
        scope.register(
            models.AddressAlias, kind=scope.KIND_AREA, area_path=("address__building", "area")
        )
