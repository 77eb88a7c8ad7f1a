"""Social: likes, follows, comments, notifications, search and moderation."""
