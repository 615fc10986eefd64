import pytest


@pytest.fixture
def emulator(sheets_emulator, team_sheet_data):
    """The running emulator with the team sheet loaded."""
    sheets_emulator.load(team_sheet_data)
    return sheets_emulator
