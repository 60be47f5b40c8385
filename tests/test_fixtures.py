"""The shared fixtures of conftest.py do what the tests rely on."""

from __future__ import annotations

import io
import time
import zipfile
from datetime import date, datetime, timezone

import formkit.cli
import formkit.render.docx


def test_frozen_clock_is_seen_by_formkit_and_zipfile(frozen_clock) -> None:
    instant = datetime(2031, 7, 15, 13, 5, 9, tzinfo=timezone.utc)
    real_today = date.today()
    with frozen_clock(instant):
        assert formkit.cli.date.today() == instant.astimezone().date()
        assert formkit.render.docx.datetime.now(timezone.utc) == instant
        assert time.time() == instant.timestamp()
        import datetime as dt

        assert dt.date.today() == instant.astimezone().date() and dt.datetime.utcnow() == instant.replace(tzinfo=None)
        assert isinstance(date(2020, 1, 1), formkit.cli.date) and type(formkit.cli.date(2020, 1, 1)) is date
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            z.writestr("a.txt", "x")  # a member named by string is dated by the clock
        assert zipfile.ZipFile(buf).infolist()[0].date_time[:3] == instant.astimezone().timetuple()[:3]
    assert formkit.cli.date.today() == real_today and formkit.cli.date is date
    assert abs(time.time() - datetime.now().timestamp()) < 5


def test_samples_are_rendered_once(samples) -> None:
    doc = samples.first("appraisal")
    assert samples.docx(doc) is samples.docx(doc)
    assert samples.pdf(doc) is samples.pdf(doc)
    planned, ctx = samples.doc_ctx(doc)
    ctx["applicant"]["name"] = "改"
    assert samples.doc_ctx(doc)[1]["applicant"]["name"] != "改"  # each caller gets its own context
    assert len(samples.documents()) >= len(samples.paths) * 3
