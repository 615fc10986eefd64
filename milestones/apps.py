from django.apps import AppConfig


class MilestonesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "milestones"

    def ready(self) -> None:
        from simple_history.signals import pre_create_historical_record

        from milestones.history import set_history_source

        pre_create_historical_record.connect(
            set_history_source, dispatch_uid="milepost_history_source"
        )
