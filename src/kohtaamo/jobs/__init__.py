"""Background jobs: work done after a request, through an outbox.

``enqueue(session, "task", payload)`` adds a row in the caller's transaction: the job
leaves only after commit and survives a crash right after it. Handlers are declared in
each domain's ``tasks.py`` with :func:`task` or :func:`periodic`. Where they run:

- embedded (SQLite, ``kohtaamo serve``/``demo``): :class:`~kohtaamo.jobs.runner.Runner`,
  a thread in the app process;
- production (PostgreSQL): ``kohtaamo worker`` processes, carried by procrastinate
  (:mod:`kohtaamo.jobs.worker`).
"""

from kohtaamo.jobs.context import JobContext, current_job
from kohtaamo.jobs.models import Job, JobStatus
from kohtaamo.jobs.outbox import enqueue, job_status
from kohtaamo.jobs.registry import periodic, schedule, task

__all__ = [
    "Job",
    "JobContext",
    "JobStatus",
    "current_job",
    "enqueue",
    "job_status",
    "periodic",
    "schedule",
    "task",
]
