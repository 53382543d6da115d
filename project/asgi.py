"""The ASGI application the demo runs under uvicorn (`make demo`): the admin, the JSON views and
the live counters' event stream. Static files (the admin's CSS and JS, live.js) are served by
Django's ASGIStaticFilesHandler, which is fine for a demo; use your usual static hosting in
production."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")
django_application = get_asgi_application()


def _with_static(app):  # noqa: ANN001, ANN202
    from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler

    return ASGIStaticFilesHandler(app)


application = _with_static(django_application)

# The demo folds pending counter deltas in its own process, every half second (a site may run
# `manage.py fold_counters --forever` instead, or nothing: writers fold now and then themselves).
if os.environ.get("COUNTERS_DEMO_FOLDER", "1") == "1":
    from counters.folding import Folder

    Folder(interval=0.5).start()
