"""Cases: open, honest service recovery when things go wrong, and proof that it worked.

A case is opened by a rule (a detractor, experience below expectation, a negative
comment on chosen themes), by a complaint (form, API) or by a staff member; it goes to
the team that owns the touchpoint and moves through the recovery workflow declared in
:mod:`kohtaamo.cases.workflow`.
"""
