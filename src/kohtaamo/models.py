"""Every table of every domain, imported so that migrations see the whole schema.

A new domain adds its ``models`` module here.
"""

from kohtaamo.accounts import models as accounts_models
from kohtaamo.storage.base import Base

__all__ = ["Base", "accounts_models"]
