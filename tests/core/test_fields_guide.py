"""The user guide's field table (docs/user-guide/fields.md) is what `jiceng fields-guide`
writes from the forms and schemas now: a changed limit, a new field or form fails here
until the file is regenerated."""

from django.core.management import call_command

from jiceng.core.fields_guide import GUIDE, render


def test_the_field_guide_is_up_to_date():
    assert GUIDE.read_text(encoding="utf-8") == render(), (
        "docs/user-guide/fields.md is out of date: run `jiceng fields-guide`"
    )


def test_the_guide_names_every_text_field_and_its_limit():
    from jiceng.core.field_inventory import form_text_fields, schema_text_fields

    text = render()
    for field in form_text_fields():
        assert f"`{field.owner.rpartition('.')[2]}`" in text
    for field in schema_text_fields():
        assert f"`{field.owner}`" in text
    assert "| 组织名称 | 120 |" in text
    assert "| 姓名 | 50 |" in text


def test_the_command_checks_without_writing(capsys):
    call_command("fields-guide", "--check")


def test_the_user_guide_links_the_table():
    index = (GUIDE.parent / "README.md").read_text(encoding="utf-8")
    assert "(fields.md)" in index
