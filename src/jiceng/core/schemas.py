from ninja import Schema


class AreaOut(Schema):
    id: int
    code: str
    name: str
    level: str
    level_display: str
    parent_id: int | None
    depth: int

    @staticmethod
    def resolve_level_display(obj):
        return obj.get_level_display()


class AreaDetailOut(AreaOut):
    breadcrumb: list[AreaOut]
