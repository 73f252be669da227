import datetime
from decimal import Decimal
from typing import Literal

from ninja import Field, Schema
from pydantic import ConfigDict

from jiceng.core.inputs import limited_text, model_decimal, model_text
from jiceng.core.models import StandardAddress
from jiceng.places.models import AddressAlias


class AddressIn(Schema):
    # The building's area code (18 digits).
    building: limited_text(24, kind="code")
    text: model_text(StandardAddress, "text")
    compound: model_text(StandardAddress, "compound") = ""
    # WGS-84 (GPS); both or neither.
    latitude: model_decimal(StandardAddress, "latitude") | None = None
    longitude: model_decimal(StandardAddress, "longitude") | None = None


class AddressOut(Schema):
    id: int
    text: str
    compound: str
    building_id: int
    building_code: str
    building_name: str
    latitude: Decimal | None
    longitude: Decimal | None
    created_at: datetime.datetime

    @staticmethod
    def resolve_building_code(obj):
        return obj.building.code

    @staticmethod
    def resolve_building_name(obj):
        return obj.building.name


class AliasIn(Schema):
    text: model_text(AddressAlias, "original")
    # One of the two: a registered address, or an area (street, community, grid, building).
    address: int | None = None
    area: int | None = None


class AliasOut(Schema):
    id: int
    text: str
    original: str
    address_id: int | None
    area_id: int | None
    source: str
    created_at: datetime.datetime


class MatchIn(Schema):
    address_string: model_text(StandardAddress, "text") = ""
    lat: float | None = Field(None, ge=-90, le=90)
    long: float | None = Field(None, ge=-180, le=180)
    # WGS-84 (GPS, phones; the default) or GCJ-02 (a point picked on AMap or Tencent).
    coordinate_system: Literal["wgs84", "gcj02"] = Field(
        "wgs84", json_schema_extra={"maxLength": 5}
    )

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"address_string": "徐汇区复兴西路十二弄三号楼"},
                {"lat": 31.2095, "long": 121.443},
                {"lat": 31.2076, "long": 121.4474, "coordinate_system": "gcj02"},
            ]
        }
    )


class MatchOut(Schema):
    level: str  # building, grid, community, street, district, none
    placed: bool
    area_id: int | None
    area_code: str | None
    area_name: str | None
    street_id: int | None
    reason: str


class ImportRowError(Schema):
    row: int
    column: str
    message: str


class ImportNote(Schema):
    row: int
    text: str


class AddressImportOut(Schema):
    ok: bool
    rows: int
    addresses: int
    updated: int
    aliases: int
    unchanged: int
    errors: list[ImportRowError]
    notes: list[ImportNote]
