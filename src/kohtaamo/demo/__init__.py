"""The demo organisation: a seeded, size-parameterised generator of realistic data.

``seed_demo(db, size=…, seed=…)`` fills an empty database; ``kohtaamo demo`` and the
benchmarks call it. Each capability adds its data as a contributor module (see
:mod:`kohtaamo.demo.generator`) and registers it with one import line below.
"""

# Contributors register themselves on import; their ``order`` decides when they run.
from kohtaamo.demo import (  # noqa: F401
    cases,
    foundation,
    journeys,
    journeys_nordic,
    programme,
    surveys,
    surveys_nordic,
)
from kohtaamo.demo.foundation import (
    DEMO_LOGINS,
    DEMO_PASSWORD,
    MAIN_ORGANISATION,
    MANAGER_EMAIL,
    ORGANISATIONS,
    DemoLogin,
    demo_exists,
)
from kohtaamo.demo.generator import (
    REFERENCE_DATE,
    DemoContext,
    DemoScale,
    DemoSize,
    DemoSummary,
    contributor,
    parse_size,
    seed_demo,
)

__all__ = [
    "DEMO_LOGINS",
    "DEMO_PASSWORD",
    "MAIN_ORGANISATION",
    "MANAGER_EMAIL",
    "ORGANISATIONS",
    "REFERENCE_DATE",
    "DemoContext",
    "DemoLogin",
    "DemoScale",
    "DemoSize",
    "DemoSummary",
    "contributor",
    "demo_exists",
    "foundation",
    "parse_size",
    "seed_demo",
]
