"""A local emulator of the Google Sheets API v4 subset that gspread, and so the sync, uses.

It keeps spreadsheets in memory, answers on loopback with the bodies and errors Google
answers, and lets tests inject faults, set a per-minute quota and count requests. Run it with
``python manage.py sheets_emulator``; tests start it in a thread
(``from sheets_emulator.server import SheetsEmulator``; ``SheetsEmulator().start()``).

Modules, bottom up:

- ``errors``: ``ApiError``, an error answered as Google answers it.
- ``locales``: typing and showing in en_US, en_GB, de_DE, fr_FR; number-format patterns.
- ``formulas``: the formulas the emulator calculates (arithmetic, references, DATE, TODAY,
  SUM, IF, CONCATENATE, ``&``, COUNTA, HYPERLINK).
- ``cells``: a cell's shown text, effective value, formula, format and link (``hyperlink``),
  typing as USER_ENTERED types in the spreadsheet's locale.
- ``store``: ``Spreadsheet`` and ``Sheet``, their ranges, merges and protected ranges.
- ``files``: the JSON file format (``--load``/``--save``, tests).
- ``field_masks``: the ``fields`` parameter.
- ``values``: value ranges read and written.
- ``batch_update``: the requests of ``spreadsheets.batchUpdate`` (``updateCells``,
  ``mergeCells`` among them).
- ``api``: ``SheetsApi``, the REST routes and their operations, HTTP-free.
- ``faults``: injected faults, the per-minute quota and the request log.
- ``server``: ``SheetsEmulator``, the HTTP server and its ``/_emulator/`` controls.

Nothing is imported here: the emulator reads the sync's month names (``sheets.parse``), which
needs Django's apps loaded, and this package is itself an app that Django imports first. The
product never imports the emulator (tests/sheets_emulator/test_boundary.py).
"""
