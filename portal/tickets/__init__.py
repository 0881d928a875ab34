"""The ticket desk: filing with deflection, the SLA clock, assignment and escalation jobs,
the ledger, rating, and solved tickets feeding the knowledge base."""

from __future__ import annotations


def init_app(app):
    from portal.core.calendar import WorkCalendar
    from portal.tickets import blueprint, cli, desk, models, search_source, tasks, views  # noqa: F401  (routes, jobs)

    # a mistyped PORTAL_TICKET_WORK_HOURS stops the start with its message, not every request later
    WorkCalendar.from_config(
        hours=str(app.config["TICKET_WORK_HOURS"]),
        weekdays=str(app.config["TICKET_WORK_DAYS"]),
        tz=app.config["BABEL_DEFAULT_TIMEZONE"],
    )
    with app.app_context():  # the same for the tiers' settings
        from portal.tickets import clock

        clock.policy()
        clock.default_tier()
    search_source.register_source()
    app.register_blueprint(blueprint.bp)
    app.cli.add_command(cli.calendar)

    from portal.kb import origins
    from portal.tickets import queries

    origins.register_ticket_briefs(queries.ticket_briefs)  # the drafts desk shows a ticket's solution

    from portal.tickets.clock import outlook
    from portal.tickets.labels import HELPERS

    app.jinja_env.globals.update(HELPERS, ticket_outlook=outlook)

    @app.context_processor
    def _ticket_nav():
        from flask_login import current_user

        from portal.tickets import access, queries

        if not current_user.is_authenticated:
            return {}
        # a callable: only the page layout asks for the counts, not every htmx fragment
        return {
            "ticket_counts": lambda: queries.counts_for(current_user),
            "is_agent": access.is_agent(current_user.roles),
        }
