from django.apps import AppConfig


class DecisionsConfig(AppConfig):
    name = "caseload.decisions"
    label = "decisions"
    verbose_name = "Accountable decisions"

    def ready(self) -> None:
        from caseload.decisions import actions, pages
        from caseload.register.actions import register_close_check

        pages.contribute()
        register_close_check("decisions_tier3_sign_off", actions.check_tier3_closing)
