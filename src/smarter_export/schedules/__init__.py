"""Scheduled exports: a stored export request, a cron in a zone, and one export per due time."""
