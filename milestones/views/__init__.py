"""Views of the milestones app, a module per page family."""
