"""The axe-core watch every browser test runs under (tests/browser/accessibility.py) finds what
it should: a serious or critical violation on any page the test opened, whether the test stayed
on it or moved on, and after an htmx swap; minor findings do not fail a test."""

import pytest

from tests.browser.accessibility import AxeWatch

PAGES = {
    # An image without a text alternative: "image-alt", critical.
    "/bad": '<img src="/pixel.gif">',
    "/good": "<p>Fine.</p>",
    # A button whose only content is an icon and no name: "button-name", critical.
    "/swap": '<div id="spot"></div>',
}


def _html(body):
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Test page</title>'
        f"</head><body><main><h1>Page</h1>{body}</main></body></html>"
    )


@pytest.fixture
def watched(browser):
    """A page whose context is watched by axe, serving PAGES from http://milepost.test."""
    context = browser.new_context()
    watch = AxeWatch().attach(context)

    def serve(route):
        path = "/" + route.request.url.split("/", 3)[3]
        if path in PAGES:
            route.fulfill(status=200, content_type="text/html", body=_html(PAGES[path]))
        else:
            route.fulfill(status=204)

    context.route("http://milepost.test/**", serve)
    page = context.new_page()
    yield page, watch
    context.close()


def test_a_critical_violation_on_the_page_the_test_ends_on_is_reported(watched):
    page, watch = watched
    page.goto("http://milepost.test/bad")
    found = watch.finish(page)
    assert len(found) == 1
    assert found[0].startswith("critical image-alt")
    assert "http://milepost.test/bad" in found[0]


def test_a_page_left_before_its_check_ended_is_opened_again_and_checked(watched):
    page, watch = watched
    # As if the test had opened /bad and moved on before axe reported on it.
    watch._on({"url": "http://milepost.test/bad", "reason": "opened"})
    page.goto("http://milepost.test/good")
    found = watch.finish(page)
    assert [f.split(" on ")[0] for f in found] == [
        "critical image-alt (Images must have alternative text)"
    ]
    assert {"http://milepost.test/bad", "http://milepost.test/good"} <= watch.checked


def test_content_swapped_in_by_htmx_is_checked_again(watched):
    page, watch = watched
    page.goto("http://milepost.test/swap")
    page.evaluate("window.__milepostAxeIdle()")
    assert watch.violations == []
    page.evaluate(
        """() => {
          document.getElementById("spot").innerHTML = '<button type="button"></button>';
          document.dispatchEvent(new CustomEvent("htmx:afterSettle"));
        }"""
    )
    found = watch.finish(page)
    assert len(found) == 1
    assert "button-name" in found[0]
    assert "after htmx swap" in found[0]


def test_a_page_without_violations_passes(watched):
    page, watch = watched
    page.goto("http://milepost.test/good")
    assert watch.finish(page) == []
    assert watch.checked == {"http://milepost.test/good"}
