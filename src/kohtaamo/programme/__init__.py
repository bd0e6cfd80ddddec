"""The CX programme: the experience pyramid (elements, sub-elements, standards, measures,
actions) with live status from the analytics, the written CX description, employees'
observations flowing back, and walking the journey against the standards.
"""
