"""The default service catalogue, seeded with Beijing 12345 practice (editable by street staff).

Dispatch/response within 1 h for danger to life or property, 2 h for water, power, gas and heating,
24 h otherwise; feedback/resolution within 2 h, 24 h, 7 working days, or 15 working days when complex.
"""

CATEGORIES = [  # code, name, default handler kind
    ("utilities", "水电维修", "property_company"),
    ("elevator", "电梯", "property_company"),
    ("sanitation", "环境卫生", "property_company"),
    ("parking", "停车", "property_company"),
    ("safety", "安全隐患", "property_company"),
    ("neighbour_dispute", "邻里纠纷", "community"),
    ("illegal_building", "违章搭建", "community"),
    ("noise", "噪音", "community"),
    ("public_facility", "公共设施", "property_company"),
    ("service_complaint", "物业服务投诉", "community"),
    ("other", "其他", "community"),
]

LEVELS = {  # urgency: (response value, unit, resolution value, unit)
    "emergency": ("1", "hours", "2", "hours"),
    "urgent": ("2", "hours", "24", "hours"),
    "normal": ("24", "hours", "7", "working_days"),
    "complex": ("24", "hours", "15", "working_days"),
}


# 个人事务: not public by default and not shown to the 业委会 (docs/privacy.md)
PERSONAL = frozenset({"neighbour_dispute", "service_complaint", "noise", "illegal_building"})


def seed_catalogue(Category, ServiceLevel) -> None:
    # the historical model of an early migration has no ``personal`` yet (0006 marks those categories)
    has_personal = any(f.name == "personal" for f in Category._meta.get_fields())
    for i, (code, name, handler) in enumerate(CATEGORIES):
        defaults = {"name": name, "handler_kind": handler, "sort": (i + 1) * 10}
        if has_personal:
            defaults["personal"] = code in PERSONAL
        category, _created = Category.objects.get_or_create(code=code, defaults=defaults)
        for urgency, (rv, ru, sv, su) in LEVELS.items():
            ServiceLevel.objects.get_or_create(category=category, urgency=urgency, defaults={
                "response_value": rv, "response_unit": ru, "resolution_value": sv, "resolution_unit": su})
