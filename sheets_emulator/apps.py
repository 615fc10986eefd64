from django.apps import AppConfig


class SheetsEmulatorConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "sheets_emulator"
