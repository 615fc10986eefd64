/* Milepost: small enhancements of the milestone table. Every action also works without this
 * file (and without htmx): these only make the in-place editing nicer. No inline scripts, so
 * this file is the whole of it under the strict Content Security Policy. */
(function () {
  "use strict";

  var MESSAGES = {
    400: "The page is out of date. Reload it and try again.",
    403: "You may not make this change.",
    404: "That milestone is no longer here. Reload the page.",
  };

  function flash(text) {
    var element = document.getElementById("flash");
    if (element) {
      element.textContent = text;
    }
  }

  // Escape in an edit row cancels the edit, like its Cancel link. The row is found by its
  // Cancel link rather than its "editing" class, which htmx only sets once the swap settles.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" || !event.target.closest) {
      return;
    }
    var row = event.target.closest("tbody");
    var cancel = row && row.querySelector("[data-cancel]");
    if (cancel) {
      event.preventDefault();
      cancel.click();
    }
  });

  // A new request clears the last message, so the next one is announced afresh.
  document.addEventListener("htmx:beforeRequest", function () {
    flash("");
  });

  // 409 and 422 are swapped into the row (see the htmx-config meta tag); other errors are
  // not, so say what happened. Nothing typed is lost: the row stays as it was.
  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr.status;
    flash(MESSAGES[status] || "Something went wrong (" + status + "). Nothing was lost: try again.");
  });

  document.addEventListener("htmx:sendError", function () {
    flash("Milepost could not be reached. Your changes are still in the row: try again.");
  });
})();
