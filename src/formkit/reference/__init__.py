"""Reference data: administrative divisions (GB/T 2260, ``divisions``) and professional titles
(``titles``), read from the data files shipped in ``formkit/data/``."""
