"""The load stage: files in, typed records and positioned problems out.

``records`` reads case records and demand lists (strict YAML with ``file:line:col`` positions,
validated against ``formkit.model``), ``checks`` holds the cross-field checks run on a
validated record, ``xlsx`` reads the 附件1 workbook a county reports, ``roster`` the people roster
(名单), ``write`` saves records (the layout of ``formkit new case``, drafts). Loading never raises for
bad input: every problem comes back in ``Loaded.problems``.
"""

from formkit.load.records import (MAX_BYTES, RECORD_SUFFIXES, Loaded, Positions, duplicate_ids, is_draft,
                                  load_case, load_demand, load_record, parse_loc, parse_yaml, record_files,
                                  record_kind, validate_data)

__all__ = ["MAX_BYTES", "RECORD_SUFFIXES", "Loaded", "Positions", "duplicate_ids", "is_draft", "load_case", "load_demand",
           "load_record", "parse_loc", "parse_yaml", "record_files", "record_kind", "validate_data"]
