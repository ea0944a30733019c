"""Deadline reminders: the sweeper, the outbox delivery, the notifiers and the scheduler."""
