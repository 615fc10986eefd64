"""Settings: `base` (environment-driven, for development and production) and `test`."""
