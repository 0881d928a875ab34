"""The shared floor: what every domain uses and no domain owns.

errors (the domain error hierarchy), clock (one injectable clock), calendar (the pure working
calendar) and calendar_days (its exceptions table), storage (file areas), uow (the unit of
work with after-commit hooks) and jobs (the durable queue). Nothing here imports a domain.
"""
