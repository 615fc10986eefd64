from django.apps import AppConfig


class TeamsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "teams"

    def ready(self) -> None:
        from django.contrib.auth import user_logged_in
        from django.contrib.auth.models import update_last_login

        from teams.services import record_sign_in

        # A sign-in's time without a history record of the person (`record_sign_in`). The
        # same dispatch_uid as Django's receiver, so whichever app is ready first, only ours
        # is connected.
        user_logged_in.disconnect(update_last_login, dispatch_uid="update_last_login")
        user_logged_in.connect(record_sign_in, dispatch_uid="update_last_login")
