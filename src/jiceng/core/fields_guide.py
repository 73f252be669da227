"""The user guide's table of what each field accepts (docs/user-guide/fields.md),
written from the forms and schemas themselves (`jiceng.core.field_inventory`) by
`jiceng fields-guide`; a test fails when the file no longer matches."""

from collections import defaultdict
from pathlib import Path

from django.utils import translation

GUIDE = Path(__file__).resolve().parents[3] / "docs" / "user-guide" / "fields.md"

APPS = [
    ("core", "区域与审计日志"),
    ("accounts", "账号与登录"),
    ("orgs", "党组织、驻区单位、网格与大工委"),
    ("members", "党员"),
    ("appeals", "接诉即办"),
    ("cobuild", "区域化党建"),
    ("orglife", "组织生活"),
    ("linkage", "调度通报"),
    ("duties", "职责准入与街道五项权力"),
    ("supervision", "动态管理与督促检查"),
    ("places", "标准地址与定位"),
    ("assessment", "述职评议考核"),
    ("integrations", "系统对接"),
    ("ledgers", "台账"),
]

RULES = {
    "form": "拒绝控制字符；删除文字方向控制符；首尾空格去掉",
    "text": "拒绝控制字符；删除文字方向控制符；首尾空格去掉，连续空格合为一个",
    "multiline": "拒绝控制字符；删除文字方向控制符；可换行",
    "name": "拒绝控制字符；删除文字方向控制符；全角转半角；中文姓名中的空格去掉",
    "number": "拒绝控制字符；删除文字方向控制符；全角数字和字母转半角（NFKC）",
    "code": "拒绝控制字符；删除文字方向控制符；代码或选项的取值，不含多余空格",
    "strict": "拒绝控制字符和文字方向控制符",
    "secret": "拒绝控制字符；按原样使用，不去空格、不转换",
}

# What a section says before its table.
NOTES = {
    "orglife": "组织生活的页面把填写的内容按接口的同一输入定义检查，下表的规则对页面和接口相同。\n",
    "duties": "职责准入的页面同样按接口的输入定义检查；出错时提示写明字段名称。\n",
    "assessment": (
        "述职评议考核的页面把填写的内容按接口的同一输入定义检查，下表的规则对页面和接口相同。\n"
    ),
}

HEADER = """# 各字段的字数和字符规则 · Field limits

<!-- 由 `jiceng fields-guide` 根据页面表单和接口的输入定义生成，请勿手改；
     代码改动后重新生成，测试 tests/core/test_fields_guide.py 会检查本文件是否最新。 -->

每个可以填写文字的字段：最多可填的字数、保存前如何处理、在哪些页面表单和接口（`/api/`）中出现、
存放在哪一列。超过字数或含有控制字符（如 NUL）时，页面在该字段旁提示，接口返回 HTTP 4xx
`{"code": "invalid", "message": …, "field": 字段名}`，什么也不保存。规则的说明见
[inputs.md](inputs.md)。“存放位置”为空的字段不单独保存（查询条件、密码、验证码等）或加密保存
（身份证号、手机号）。
"""


def _where(field) -> str:
    if field.source == "form":
        name = field.owner.rpartition(".")[2]
        return f"`{name}`"
    return f"`{field.owner}`"


def _rows(fields):
    """One row per field as a person sees it: label, limit, rule and column; the forms
    and operations that take it listed together."""
    grouped = defaultdict(lambda: {"forms": set(), "api": set()})
    for field in fields:
        label = field.label if field.source == "form" else field.column_label() or field.name
        label = label.rstrip("：:")
        key = (label, field.max_length or 0, field.rule, field.column or "", field.name)
        grouped[key]["forms" if field.source == "form" else "api"].add(_where(field))
    # An operation's field takes the label of a form's field of the same column.
    labels = {(k[3], k[1]): k[0] for k in grouped if k[3]}
    merged = defaultdict(lambda: {"forms": set(), "api": set()})
    for (label, limit, rule, column, _name), where in grouped.items():
        label = labels.get((column, limit), label) if column else label
        row = merged[(label, limit, rule, column)]
        row["forms"] |= where["forms"]
        row["api"] |= where["api"]
    return sorted(merged.items(), key=lambda item: (item[0][3] or "~", item[0][0], item[0][1]))


def render() -> str:
    from jiceng.core.field_inventory import form_text_fields, schema_text_fields

    with translation.override("zh-hans"):
        fields = form_text_fields() + schema_text_fields()
        lines = [HEADER]
        for app, title in APPS:
            mine = [f for f in fields if f.app == app]
            if not mine:
                continue
            lines += [
                f"\n## {title}\n",
                *([NOTES[app]] if app in NOTES else []),
                "| 字段 | 最多字数 | 保存前 | 页面表单 | 接口 | 存放位置 |",
                "|---|---|---|---|---|---|",
            ]
            for (label, limit, rule, column), where in _rows(mine):
                cells = [
                    label,
                    str(limit) if limit else "—",
                    RULES[rule],
                    "、".join(sorted(where["forms"])) or "—",
                    "、".join(sorted(where["api"])) or "—",
                    f"`{column}`" if column else "",
                ]
                lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
        others = sorted({f.app for f in fields} - {app for app, _title in APPS})
        if others:
            raise LookupError(f"apps without a section in the guide: {others}")
    return "\n".join(lines) + "\n"
