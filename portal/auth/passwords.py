"""Password strength rules (pure): letters, digits and a special character, at least 8 long."""

from __future__ import annotations

MIN_LENGTH = 8


def password_problems(password: str, username: str = "") -> list[str]:
    """Return the codes of every rule the password breaks; an empty list means it is strong."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append("too_short")
    if not any(c.isascii() and c.isalpha() for c in password):
        problems.append("no_letter")
    if not any(c.isdigit() for c in password):
        problems.append("no_digit")
    if not any(not c.isalnum() and not c.isspace() for c in password):
        problems.append("no_special")
    if username and username.lower() in password.lower():
        problems.append("contains_username")
    return problems
