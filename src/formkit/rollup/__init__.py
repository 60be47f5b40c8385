"""Roll-ups over many records, pure: the 附件1 demand table of a county, 州(市) or the province
(``demand``, 第三条) and a 州(市)'s year-end declaration, 附件4 and 附件5 (``declaration``, 第十条)."""
