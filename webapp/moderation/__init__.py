"""Moderation: reports from people, hiding and dismissing by admins, the admin pages."""
