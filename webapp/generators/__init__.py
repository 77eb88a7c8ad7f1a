"""Deterministic procedural generators for music tracks and cover art."""
