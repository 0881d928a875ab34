"""Demo data: a Chinese OA organisation, FAQs and a user manual (portal demo)."""
