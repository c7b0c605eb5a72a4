"""Names of the audit log's actions in the user's language (the code stays in the log, the search and the API).

Every action string given to `services.audit.record` has a label here; an action without one is shown as its code.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

ACTION_LABELS = {
    "login": _l("Logged in"),
    "logout": _l("Logged out"),
    "user.create": _l("User created"),
    "user.update": _l("User changed"),
    "token.create": _l("API token created"),
    "token.revoke": _l("API token revoked"),
    "two_factor.enabled": _l("Two-factor authentication switched on"),
    "two_factor.disabled": _l("Two-factor authentication switched off"),
    "two_factor.reset": _l("Two-factor authentication reset"),
    "two_factor.recovery_used": _l("Logged in with a recovery code"),
    "two_factor.recovery_codes_regenerated": _l("New recovery codes made"),
    "department.create": _l("Department created"),
    "department.update": _l("Department changed"),
    "department.sla_targets": _l("Department's feedback target changed"),
    "channel.create": _l("Channel added"),
    "channel.update": _l("Channel changed"),
    "channel.pause": _l("Channel paused"),
    "channel.resume": _l("Channel resumed"),
    "routing_rule.create": _l("Routing rule created"),
    "routing_rule.update": _l("Routing rule changed"),
    "routing_rule.delete": _l("Routing rule deleted"),
    "routing_rule.move": _l("Routing rule moved"),
    "routing_rule.enable": _l("Routing rule switched on"),
    "routing_rule.disable": _l("Routing rule switched off"),
    "sla_policy.save": _l("SLA policy saved"),
    "category.create": _l("Category created"),
    "category.update": _l("Category changed"),
    "canned_response.create": _l("Canned response created"),
    "canned_response.update": _l("Canned response changed"),
    "canned_response.delete": _l("Canned response removed"),
    "calendar.save": _l("Calendar saved"),
    "calendar.closing_day.add": _l("Closing day added"),
    "calendar.closing_day.remove": _l("Closing day removed"),
    "ticket.reroute": _l("Ticket routed again"),
    "ticket.aangifte_export": _l("Ticket exported for a police report"),
    "reply.pii_override": _l("Reply sent despite personal data"),
    "reply.retry": _l("Reply sent again"),
    "contact.export": _l("Citizen's data exported"),
    "contact.erase": _l("Citizen's data erased"),
    "metrics.export": _l("Figures exported"),
    "retention.run": _l("Retention period applied"),
    "keys.rotate": _l("Encryption keys rotated"),
    "deadletter.retry": _l("Failed job queued again"),
    "deadletter.discard": _l("Failed job discarded"),
}
