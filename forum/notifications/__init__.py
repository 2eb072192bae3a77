"""Notifications: for now the e-mail outbox; in-app notifications and digests come with the discussions."""
