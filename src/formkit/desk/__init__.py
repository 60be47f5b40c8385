"""The clerk's desk: ``formkit serve``, a local web application over the same records and the
same pipeline as the command line (issue 11).

Starlette + uvicorn, pages rendered on the server with Jinja2 (``templates/``), htmx as a
vendored static file (``static/htmx.min.js``: htmx.org 2.0.11 from the npm registry, 0BSD
licence; to update, ``npm pack htmx.org`` and copy ``dist/htmx.min.js``) for the checks as a
field is left; no build step, no CDN.
One module per page: ``people`` (人员), ``person`` (一个人: form, checks, save), ``documents``
(preview, issue, download), ``batch`` (批量打印), ``declare`` (年度申报), ``demand`` (需求汇总),
``due`` (待办), ``importing`` (导入); ``tasks`` (long jobs in a thread, with progress),
``uploads`` (uploaded workbooks); ``fields`` (the record as a form, from ``formkit.model``), ``store``
(records on disk), ``app`` (the factory and the guards: session, login, CSRF, body limit, masked
access log), ``server`` (``serve``: bind, print the address, run).
"""

from formkit.desk.app import create_app

__all__ = ["create_app"]
