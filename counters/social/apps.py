from django.apps import AppConfig


class SocialConfig(AppConfig):
    name = "counters.social"
    label = "counters_social"  # "social" alone is a common app name in projects
    verbose_name = "Counters: social"
    default_auto_field = "django.db.models.BigAutoField"
