"""The milestones app's pages, one module per page family.

- `team`: the team page and its milestone table, edited in place (row, edit, create, move,
  drop, restore).
- `milestone`: the milestone page: details, the commitment ledger and its slip reasons, the
  history timeline.
- `dependency_forms`: what a milestone waits on, one block for the milestone page and for
  its row of the team table (the row's editor, adding, removing).
- `access`: what a URL names, for the user asking (404 for what is not there, 403 for what
  they may not change), shared by both.

Each view answers an htmx request with the partial it changed and a plain browser with the
whole page, or with a redirect after a successful POST, so every action also works without
JavaScript. Permissions are decided in the views on every request, by
`milestones.permissions`; the templates only read the answers.

Status codes: 403 for what the user may not change, 404 for what is not there (a milestone id
under another team's slug included), 409 when the row changed since the user loaded it (the
response shows the current values), 422 for input that breaks a rule (the response keeps what
was typed, each message beside its field).
"""
