"""Page forms as a browser would submit them: `page_forms(html)` finds each form of a
page with the values it would send untouched (hidden inputs, the selected or first
option of each select, checked boxes, the first radio of each group), the label of each
field, and the links of the page (an import form's template)."""

from dataclasses import dataclass, field
from html.parser import HTMLParser

TEXT_TYPES = {"text", "search", "tel", "email", "url", "", "hidden", "password", "number"}


@dataclass
class PageForm:
    action: str
    method: str
    data: dict[str, str] = field(default_factory=dict)
    # Name → (kind, maxlength): the fields a person types into (or a hidden one).
    texts: dict[str, tuple[str, int | None]] = field(default_factory=dict)
    has_file: bool = False
    # Name → the accept attribute of each file input.
    files: dict[str, str] = field(default_factory=dict)
    # Name → the id of its element, for the <label for=…> that names it.
    ids: dict[str, str] = field(default_factory=dict)

    def label(self, name: str, labels: dict[str, str]) -> str:
        return labels.get(self.ids.get(name, ""), "")


class _FormParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[PageForm] = []
        self.form: PageForm | None = None
        self.select: str | None = None
        self.select_first: str | None = None
        self.select_chosen: str | None = None
        self.textarea: str | None = None
        self.textarea_text: list[str] = []
        self.labels: dict[str, str] = {}
        self.label_for: str | None = None
        self.label_text: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        if tag == "label" and a.get("for"):
            self.label_for, self.label_text = a["for"], []
        if tag == "form":
            self.form = PageForm(a.get("action", ""), (a.get("method") or "get").lower())
            self.forms.append(self.form)
            return
        if self.form is None:
            return
        if tag in ("input", "textarea", "select", "button") and "form" in a:
            return  # it belongs to the form it names (none for form=""), as in a browser
        name = a.get("name")
        if name and a.get("id") and tag in ("input", "textarea", "select"):
            self.form.ids[name] = a["id"]
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            limit = int(a["maxlength"]) if a.get("maxlength", "").isdigit() else None
            if kind in ("checkbox", "radio"):
                if "checked" in a or (kind == "radio" and name not in self.form.data):
                    self.form.data[name] = a.get("value", "on")
            elif kind == "file":
                self.form.has_file = True
                self.form.files[name] = a.get("accept", "")
            elif kind in ("submit", "button", "image", "reset"):
                if name not in self.form.data:
                    self.form.data[name] = a.get("value", "")
            else:
                self.form.data[name] = a.get("value", "") or filler(name, kind)
                if kind in TEXT_TYPES and name != "csrfmiddlewaretoken" and kind != "number":
                    self.form.texts[name] = (kind or "text", limit)
        elif tag == "button" and name:
            self.form.data.setdefault(name, a.get("value", ""))
        elif tag == "select" and name:
            self.select, self.select_first, self.select_chosen = name, None, None
        elif tag == "option" and self.select:
            value = a.get("value", "")
            if self.select_first is None and value:
                self.select_first = value
            if "selected" in a:
                self.select_chosen = value
        elif tag == "textarea" and name:
            self.textarea, self.textarea_text = name, []
            limit = int(a["maxlength"]) if a.get("maxlength", "").isdigit() else None
            self.form.texts[name] = ("textarea", limit)

    def handle_data(self, data):
        if self.textarea:
            self.textarea_text.append(data)
        if self.label_for is not None:
            self.label_text.append(data)

    def handle_endtag(self, tag):
        if tag == "label" and self.label_for is not None:
            self.labels[self.label_for] = " ".join("".join(self.label_text).split())
            self.label_for = None
        if tag == "form":
            self.form = None
        elif tag == "select" and self.select and self.form is not None:
            chosen = self.select_chosen or self.select_first or ""
            self.form.data[self.select] = chosen
            self.select = None
        elif tag == "textarea" and self.textarea and self.form is not None:
            self.form.data[self.textarea] = "".join(self.textarea_text).strip() or "说明"
            self.textarea = None


def filler(name: str, kind: str) -> str:
    """A plausible value for a field the page leaves empty, so a submission fails only
    on the value under test."""
    import datetime

    today = datetime.date.today()
    if kind == "date":
        return today.isoformat()
    if kind == "datetime-local":
        hour = "11:00" if "end" in name else "10:00"
        return f"{today + datetime.timedelta(days=1)}T{hour}"
    if kind == "number" or name in ("hours", "target", "achieved", "floor_area", "budget"):
        return "1"
    if "phone" in name:
        return "13812345678"
    if name == "code":
        return "hostile-test"
    if kind == "hidden":
        return ""
    return "测试内容"


@dataclass
class Page:
    forms: list[PageForm]
    # The id of an element → the text of its <label for=…>.
    labels: dict[str, str]
    links: list[str]


def parse_page(html: str) -> Page:
    parser = _FormParser()
    parser.feed(html)
    return Page(parser.forms, parser.labels, parser.links)


def page_forms(html: str) -> list[PageForm]:
    return parse_page(html).forms
