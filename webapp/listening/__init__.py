"""Listening: play counts, oEmbed and the embeddable player; the player itself is static."""
