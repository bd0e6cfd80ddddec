"""Outgoing e-mail: one small interface, with SMTP, console and memory backends.

Domains call :func:`kohtaamo.mail.service.enqueue_mail`: the message is a job, so it
leaves only after the transaction commits and is retried while the SMTP server is down.
"""
