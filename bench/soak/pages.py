"""What a client reads on a page, as a browser would: its forms (every field with the value
the server put there), the flash messages, the errors shown on a form, and its links."""

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

FLASH = re.compile(r"\balert-(success|info|warning|danger)\b")


@dataclass
class Form:
    """One <form>: where it goes and every field with its current value."""

    action: str
    method: str
    multipart: bool
    values: dict[str, str] = field(default_factory=dict)
    hidden: set[str] = field(default_factory=set)
    options: dict[str, list[str]] = field(default_factory=dict)  # selects and radios
    submit_names: dict[str, str] = field(default_factory=dict)
    file_fields: list[str] = field(default_factory=list)

    def filled(self, **changes) -> dict[str, str]:
        """Every field as the page gave it (hidden ones included), with `changes` applied."""
        return {**self.values, **{name: str(value) for name, value in changes.items()}}

    def choices(self, name: str) -> list[str]:
        """The non-empty values a select or radio group offers."""
        return [value for value in self.options.get(name, []) if value]


@dataclass
class Page:
    """A parsed response body."""

    forms: list[Form]
    flashes: list[tuple[str, str]]  # (category, text)
    errors: list[str]
    links: list[str]

    def form_to(self, pattern: str) -> Form | None:
        """The first POST form whose action matches `pattern` (a regular expression)."""
        for form in self.forms:
            if form.method == "post" and re.search(pattern, form.action):
                return form
        return None

    def main_form(self) -> Form | None:
        """The page's form with the most fields besides hidden ones (the one to fill)."""
        posts = [form for form in self.forms if form.method == "post"]
        if not posts:
            return None
        return max(posts, key=lambda form: len(form.values) - len(form.hidden))

    def link_ids(self, pattern: str) -> list[int]:
        """The numbers captured by `pattern` (one group) in the page's links, in order."""
        found: list[int] = []
        for link in self.links:
            match = re.search(pattern, link)
            if match and int(match.group(1)) not in found:
                found.append(int(match.group(1)))
        return found

    def flashed(self, *categories: str) -> bool:
        return any(category in categories for category, _text in self.flashes)


class _PageParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.flashes: list[tuple[str, str]] = []
        self.errors: list[str] = []
        self.links: list[str] = []
        self._form: Form | None = None
        self._select: str | None = None
        self._textarea: str | None = None
        self._text_target: list | None = None  # [kind, category, depth, parts]
        self._depth = 0

    def handle_starttag(self, tag, attrs):
        attributes = {name: value or "" for name, value in attrs}
        if tag not in ("input", "br", "img", "meta", "link", "hr"):
            self._depth += 1
        self._note_message(tag, attributes)
        if tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"])
        elif tag == "form":
            self._form = Form(
                action=attributes.get("action", ""),
                method=attributes.get("method", "get").lower(),
                multipart="multipart" in attributes.get("enctype", ""),
            )
            self.forms.append(self._form)
        elif self._form is not None:
            self._form_field(tag, attributes)

    def _note_message(self, tag, attributes):
        classes = attributes.get("class", "")
        if self._text_target is not None:
            return
        flash = FLASH.search(classes)
        if flash and "alert-dismissible" in classes:
            self._text_target = ["flash", flash.group(1), self._depth, []]
        elif "invalid-feedback" in classes or (flash and flash.group(1) == "danger"):
            self._text_target = ["error", "", self._depth, []]

    def _form_field(self, tag, attributes):
        form, name = self._form, attributes.get("name")
        if tag == "input" and name:
            kind = attributes.get("type", "text").lower()
            if kind in ("submit", "button", "image"):
                form.submit_names[name] = attributes.get("value", "")
            elif kind in ("radio", "checkbox"):
                form.options.setdefault(name, []).append(attributes.get("value", "on"))
                if "checked" in attributes:
                    form.values[name] = attributes.get("value", "on")
            elif kind == "file":
                form.file_fields.append(name)
            else:
                form.values[name] = attributes.get("value", "")
                if kind == "hidden":
                    form.hidden.add(name)
        elif tag == "select" and name:
            self._select = name
            form.options[name] = []
        elif tag == "option" and self._select:
            value = attributes.get("value", "")
            form.options[self._select].append(value)
            if "selected" in attributes or self._select not in form.values:
                form.values[self._select] = value
        elif tag == "textarea" and name:
            self._textarea = name
            form.values[name] = ""

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea and self._form is not None:
            # A browser drops the newline that starts a textarea's content.
            value = self._form.values[self._textarea]
            self._form.values[self._textarea] = value.removeprefix("\r").removeprefix("\n")
            self._textarea = None
        target = self._text_target
        if target is not None and self._depth <= target[2]:
            text = " ".join("".join(target[3]).split())
            if target[0] == "flash":
                self.flashes.append((target[1], text))
            elif text:
                self.errors.append(text)
            self._text_target = None
        if tag not in ("input", "br", "img", "meta", "link", "hr"):
            self._depth -= 1

    def handle_data(self, data):
        if self._textarea and self._form is not None:
            self._form.values[self._textarea] += data
        if self._text_target is not None:
            self._text_target[3].append(data)


def parse(html: str) -> Page:
    """Read a page's forms, flashes, errors and links."""
    parser = _PageParser()
    parser.feed(html)
    parser.close()
    return Page(parser.forms, parser.flashes, parser.errors, parser.links)
