"""Namespaces, severities and the sandbox's refused attribute names shared by the lint modules."""

from __future__ import annotations


from jinja2.sandbox import (UNSAFE_ASYNC_GENERATOR_ATTRIBUTES, UNSAFE_COROUTINE_ATTRIBUTES,
                            UNSAFE_FUNCTION_ATTRIBUTES, UNSAFE_GENERATOR_ATTRIBUTES,
                            UNSAFE_METHOD_ATTRIBUTES)

from formkit.errors import Severity

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W = "{%s}" % W_NS
R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"

ERROR, WARNING = Severity.ERROR, Severity.WARNING

UNSAFE_NAMES = (UNSAFE_FUNCTION_ATTRIBUTES | UNSAFE_METHOD_ATTRIBUTES | UNSAFE_GENERATOR_ATTRIBUTES
                | UNSAFE_COROUTINE_ATTRIBUTES | UNSAFE_ASYNC_GENERATOR_ATTRIBUTES | {"mro"})
LOOP_ATTRS = frozenset("index index0 revindex revindex0 first last length cycle depth depth0 "
                       "previtem nextitem changed".split())
HTML_EXTRAS = ("photo_src",)
"""Variables ``render.pdf.render_html`` passes besides the context."""

SNIPPET = 40
