"""The clerk's desk: ``formkit serve``, a local web application over the same records and the
same pipeline as the command line (issue 11).

Starlette + uvicorn, pages rendered on the server with Jinja2 (``templates/``), htmx as a
vendored static file (``static/htmx.min.js``) for the checks as a field is left; no build step.
One module per page: ``people`` (人员), ``person`` (一个人: form, checks, save), ``documents``
(preview, issue, download); ``fields`` (the record as a form, from ``formkit.model``), ``store``
(records on disk), ``app`` (the factory and the guards: session, login, CSRF, body limit, masked
access log), ``server`` (``serve``: bind, print the address, run).
"""

from formkit.desk.app import create_app

__all__ = ["create_app"]
