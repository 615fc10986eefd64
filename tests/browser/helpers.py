"""What browser tests share beyond fixtures."""

from playwright.sync_api import Page

# htmx swaps an edit row in at once but binds its hx-* attributes and moves the focus to its
# autofocus field only when the swap settles (htmx.config.defaultSettleDelay later). Typing
# before that lands in whichever field the focus then leaves, so a test waits for it.
_ROW_SETTLED = """() => {
  const row = document.activeElement && document.activeElement.closest("tbody.editing");
  return Boolean(row) && !row.classList.contains("htmx-settling");
}"""


def start_editing(page: Page, title: str, *, tap: bool = False) -> None:
    """Click (or, on a touch screen, tap) the row's Edit link and wait until the edit row is
    ready to type in."""
    edit = page.get_by_role("link", name=f"Edit {title}")
    edit.tap() if tap else edit.click()
    page.wait_for_function(_ROW_SETTLED)


def page_width(page: Page) -> tuple[int, int]:
    """(the document's scroll width, the viewport's width): the page scrolls sideways when the
    first is larger."""
    return tuple(page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]"))


def real_errors(page: Page) -> list[str]:
    """The page's console errors but Chromium's own favicon 404, which says nothing of it."""
    return [e for e in page.console_errors if not e.startswith("Failed to load resource")]
