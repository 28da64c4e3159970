"""``{% load fragments %}`` — ``{% fragment "name" part… [per_user=True] %}…{% endfragment %}``.

The enclosed markup is rendered once per set of parts and version tokens and then reused
(``core.fragments``: keys, versions, what invalidates them, what is filled in per visitor).
Inside, ``csrf_token`` is a placeholder and ``card_env`` starts afresh, so nothing of the visitor
who happened to fill the entry is stored. Lazy context values (a listing's details) are only
evaluated on a miss.
"""

from __future__ import annotations

from django import template
from django.utils.safestring import mark_safe

from core import fragments

register = template.Library()


class FragmentNode(template.Node):
    def __init__(self, nodelist, name, parts, per_user):
        self.nodelist = nodelist
        self.name = name
        self.parts = parts
        self.per_user = per_user

    def render(self, context):
        request = context.get("request")
        name = self.name.resolve(context)
        per_user = bool(self.per_user.resolve(context)) if self.per_user is not None else False
        if not fragments.cacheable(request, per_user=per_user):
            return self.nodelist.render(context)
        parts = [part.resolve(context) for part in self.parts]

        def render():
            with context.push(csrf_token=fragments.CSRF_PLACEHOLDER, card_env=None):
                html = self.nodelist.render(context)
            return {"html": fragments.strip_visitor(request, html)}

        value, _hit = fragments.cached(request, name, parts, render, per_user=per_user)
        return mark_safe(fragments.fill_in(request, value["html"]))  # noqa: S308 - rendered markup


@register.tag("fragment")
def do_fragment(parser, token):
    bits = token.split_contents()[1:]
    if not bits:
        raise template.TemplateSyntaxError("{% fragment %} needs a name")
    per_user = None
    parts = []
    for bit in bits[1:]:
        if bit.startswith("per_user="):
            per_user = parser.compile_filter(bit.split("=", 1)[1])
        else:
            parts.append(parser.compile_filter(bit))
    nodelist = parser.parse(("endfragment",))
    parser.delete_first_token()
    return FragmentNode(nodelist, parser.compile_filter(bits[0]), parts, per_user)
