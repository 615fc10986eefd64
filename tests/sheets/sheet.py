"""A team's tab seen through gspread, as a person editing the sheet sees it."""

from sheets.parse import HEADER_ALIASES, find_layout, header_key


class Tab:
    def __init__(self, spreadsheet, title: str):
        self.worksheet = spreadsheet.worksheet(title)

    def values(self) -> list[list[str]]:
        return self.worksheet.get_all_values(pad_values=False)

    def column(self, header: str) -> int:
        """The 1-based column of `header`, or of any alias of its field ("Target date" finds
        a "Due" column), compared as the sync compares headers."""
        row = self.values()[0]
        key = header_key(header)
        for name, aliases in HEADER_ALIASES.items():
            if key in aliases:
                return find_layout(row).columns[name] + 1
        return [header_key(text) for text in row].index(key) + 1

    def row_of(self, milestone) -> int:
        """The 1-based row that carries the milestone's ID."""
        id_column = self.column("ID") - 1
        for number, row in enumerate(self.values(), start=1):
            if len(row) > id_column and row[id_column] == str(milestone.pk):
                return number
        raise LookupError(f"No row has ID {milestone.pk}")

    def cell(self, milestone, header: str) -> str:
        row = self.values()[self.row_of(milestone) - 1]
        column = self.column(header) - 1
        return row[column] if column < len(row) else ""

    def set(self, milestone, header: str, value) -> None:
        self.worksheet.update_cell(self.row_of(milestone), self.column(header), value)
