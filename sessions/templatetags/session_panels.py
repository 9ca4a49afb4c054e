"""``{% render_panel panel %}``: renders a section that a higher app registered in ``sessions.panels``,
with the page's context plus the panel's own."""

from django import template
from django.template.context import Context
from django.utils.safestring import SafeString

from sessions.panels import Panel

register = template.Library()


@register.simple_tag(takes_context=True)
def render_panel(context: Context, panel: Panel) -> SafeString:
    assert context.template is not None
    panel_template = context.template.engine.get_template(panel.template)
    with context.push(panel=panel, **panel.context):
        return panel_template.render(context)
