"""axe-core in every page the browser tests visit.

`AxeWatch.attach(context)` adds the vendored axe-core (`vendor/axe.min.js`, see its README; never
downloaded at run time) to every document the context opens, as an init script: each page runs
axe once its DOM is ready and again after each htmx swap settles (an edit row, a sorted table),
and reports what it found to Python through a binding. `finish(page)` waits for the checks still
running, checks the page that is open, re-opens any page the test left before its check ended,
and returns the serious and critical violations, each with where it was found.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import BrowserContext, Page

AXE_SOURCE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")
FAILING_IMPACTS = ("serious", "critical")

# Runs in every document (top frame only) after axe-core is defined. Checks are chained, as
# axe refuses to run twice at once; a burst of htmx swaps asks for one more check, not one each.
_WATCH = """
(() => {
  if (window.top !== window || !window.axe || !location.protocol.startsWith("http")) { return; }
  const IMPACTS = %(impacts)s;
  let queue = Promise.resolve();
  let waiting = false;
  function check(reason) {
    if (waiting) { return; }
    waiting = true;
    queue = queue.then(() => {
      waiting = false;
      return window.axe.run(document, {resultTypes: ["violations"]}).then((results) => {
        window.__milepostAxeReport({
          url: location.href,
          reason: reason,
          violations: results.violations
            .filter((v) => IMPACTS.includes(v.impact))
            .map((v) => ({
              id: v.id, impact: v.impact, help: v.help,
              nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ") + " " + n.failureSummary),
            })),
        });
      }, (error) => {
        window.__milepostAxeReport({url: location.href, reason: reason, error: String(error)});
      });
    });
  }
  window.__milepostAxeIdle = () => queue;
  window.__milepostAxeReport({url: location.href, reason: "opened"});
  function start() {
    check("load");
    document.addEventListener("htmx:afterSettle", () => check("htmx swap"));
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
"""


@dataclass
class AxeWatch:
    opened: list[str] = field(default_factory=list)
    checked: set[str] = field(default_factory=set)
    violations: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def attach(self, context: BrowserContext) -> AxeWatch:
        context.expose_binding("__milepostAxeReport", lambda _source, report: self._on(report))
        context.add_init_script(
            script=AXE_SOURCE + "\n" + _WATCH % {"impacts": list(FAILING_IMPACTS)}
        )
        return self

    def _on(self, report: dict) -> None:
        url = report["url"]
        if report["reason"] == "opened":
            if url.startswith("http"):
                self.opened.append(url)
            return
        self.checked.add(url)
        if "error" in report:
            self.errors.append(f"{url}: axe failed: {report['error']}")
        for v in report.get("violations", []):
            found = f"{v['impact']} {v['id']} ({v['help']}) on {url} after {report['reason']}:"
            self.violations.append("\n    ".join([found, *v["nodes"]]))

    def _wait(self, page: Page) -> None:
        if not page.is_closed() and page.evaluate("typeof window.__milepostAxeIdle === 'function'"):
            page.evaluate("window.__milepostAxeIdle()")

    def finish(self, page: Page) -> list[str]:
        """Every serious or critical violation found, once each (plus any axe failure)."""
        self._wait(page)
        missed = [url for url in dict.fromkeys(self.opened) if url not in self.checked]
        for url in missed:
            # The test moved on before axe finished: open the page again (a GET) and check it.
            page.goto(url)
            self._wait(page)
        return list(dict.fromkeys(self.errors + self.violations))
