"""What every app's pages share: the signed-in request, the permission decorator, pagination,
refusals, the navigation and the panels one app shows on another's page.

Sits above accounts and below every app: it imports no app, and apps register what they
contribute (navigation entries, panels, table columns) from their AppConfig.ready()."""
