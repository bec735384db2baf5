import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhuanban.settings")
application = get_wsgi_application()

# Production refuses to serve a database that holds the demo's published accounts.
from zhuanban.accounts.checks import refuse_demo_accounts_in_production  # noqa: E402

refuse_demo_accounts_in_production()
