"""Every table of every domain, imported so that migrations see the whole schema.

A new domain adds its ``models`` module here.
"""

from kohtaamo.accounts import models as accounts_models
from kohtaamo.analytics import models as analytics_models
from kohtaamo.audit import models as audit_models
from kohtaamo.cases import models as cases_models
from kohtaamo.jobs import models as jobs_models
from kohtaamo.journeys import models as journeys_models
from kohtaamo.programme import models as programme_models
from kohtaamo.storage.base import Base
from kohtaamo.surveys import models as surveys_models
from kohtaamo.text import models as text_models
from kohtaamo.webhooks import models as webhooks_models

__all__ = [
    "Base",
    "accounts_models",
    "analytics_models",
    "audit_models",
    "cases_models",
    "jobs_models",
    "journeys_models",
    "programme_models",
    "surveys_models",
    "text_models",
    "webhooks_models",
]
