"""Support code for the course's lessons: one module per lesson, imported by its notebook."""
