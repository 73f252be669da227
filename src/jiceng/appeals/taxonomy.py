"""The seeded category taxonomy: what residents of a Chinese city call about, with the
deadlines hotline centres commonly use (响应 in hours; 办结 in working days, or hours for
urgent matters). Deployments change them in the admin."""

# code, name, group, response_hours, resolution_amount, resolution_unit, is_mediation
CATEGORIES = [
    ("sanitation", "垃圾清运与环境卫生", "市容环境", 24, 3, "working_days", False),
    ("street-order", "占道经营与乱堆物", "市容环境", 24, 5, "working_days", False),
    ("greening", "绿化养护", "市容环境", 24, 10, "working_days", False),
    ("noise-construction", "施工噪音", "噪音扰民", 2, 24, "hours", False),
    ("noise-neighbour", "邻里噪音", "噪音扰民", 24, 5, "working_days", False),
    ("noise-business", "商业经营噪音", "噪音扰民", 24, 5, "working_days", False),
    ("property-service", "物业服务", "物业管理", 24, 5, "working_days", False),
    ("property-fee", "物业费与维修资金", "物业管理", 24, 10, "working_days", False),
    ("elevator", "电梯故障", "物业管理", 2, 48, "hours", False),
    ("housing-danger", "房屋安全隐患", "房屋安全", 2, 3, "working_days", False),
    ("leak", "房屋渗漏", "房屋安全", 24, 5, "working_days", False),
    ("water-supply", "停水与水质", "供水供暖", 2, 24, "hours", False),
    ("gas-heating", "燃气与供暖", "供水供暖", 2, 24, "hours", False),
    ("road-damage", "道路破损与井盖", "道路交通", 2, 3, "working_days", False),
    ("parking", "停车管理", "道路交通", 24, 10, "working_days", False),
    ("illegal-building", "违章搭建", "违章建筑", 24, 15, "working_days", False),
    ("elderly-service", "为老服务", "社区服务", 24, 5, "working_days", False),
    ("community-facility", "社区设施", "社区服务", 24, 10, "working_days", False),
    ("neighbour-dispute", "邻里纠纷", "矛盾纠纷", 24, 10, "working_days", True),
    ("property-dispute", "业主与物业纠纷", "矛盾纠纷", 24, 15, "working_days", True),
    ("family-dispute", "家庭纠纷", "矛盾纠纷", 24, 10, "working_days", True),
    ("other", "其他", "其他", 24, 10, "working_days", False),
]


def ensure_categories(category_model=None) -> int:
    """Create the seeded categories that are missing; leave existing ones as configured.
    Used by the data migration, and by tests whose database was flushed (transactional
    tests remove rows that migrations wrote)."""
    if category_model is None:
        from jiceng.appeals.models import Category as category_model
    existing = set(category_model.objects.values_list("code", flat=True))
    missing = [
        category_model(
            code=code,
            name=name,
            group=group,
            response_hours=response,
            resolution_amount=amount,
            resolution_unit=unit,
            is_mediation=mediation,
            sort=sort,
        )
        for sort, (code, name, group, response, amount, unit, mediation) in enumerate(CATEGORIES)
        if code not in existing
    ]
    category_model.objects.bulk_create(missing)
    return len(missing)
