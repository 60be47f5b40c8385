"""The load stage: files in, typed records and positioned problems out.

``records`` reads case records and demand lists (strict YAML with ``file:line:col`` positions,
validated against ``formkit.model``), ``checks`` holds the cross-field checks run on a
validated record, ``xlsx`` reads the 附件1 workbook a county reports. Loading never raises for
bad input: every problem comes back in ``Loaded.problems``.
"""

from formkit.load.records import (MAX_BYTES, RECORD_SUFFIXES, Loaded, Positions, duplicate_ids, load_case,
                                  load_demand, load_record, parse_loc, parse_yaml, record_files, record_kind,
                                  validate_data)

__all__ = ["MAX_BYTES", "RECORD_SUFFIXES", "Loaded", "Positions", "duplicate_ids", "load_case", "load_demand",
           "load_record", "parse_loc", "parse_yaml", "record_files", "record_kind", "validate_data"]
