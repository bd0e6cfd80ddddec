"""Personal-data rights and retention: a customer's data exported or erased everywhere
with one request, retention rules run by a scheduled job, anonymous surveys and recorded
consent.
"""
