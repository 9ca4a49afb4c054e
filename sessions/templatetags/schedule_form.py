"""The schedule page's fields, rendered by hand (the picker reads as sentences): a widget with its help
text and errors tied to it for screen readers."""

from django import template

register = template.Library()


@register.simple_tag
def field_widget(field):
    """The field's input with ``aria-describedby`` (help text, errors) and, when wrong, ``is-invalid``."""
    described = [f"{field.auto_id}_help"] if field.help_text else []
    attrs = {}
    if field.errors:
        described.append(f"{field.auto_id}_error")
        attrs["aria-invalid"] = "true"
        attrs["class"] = f"{field.field.widget.attrs.get('class', '')} is-invalid".strip()
    if described:
        attrs["aria-describedby"] = " ".join(described)
    return field.as_widget(attrs=attrs)
