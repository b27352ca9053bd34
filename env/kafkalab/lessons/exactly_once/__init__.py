"""Lesson 09 support (work in progress)."""
