"""All models, imported here so that `Base.metadata` is complete (Alembic, tests)."""

from webcare.models.app_state import AppState
from webcare.models.audit import AuditEntry
from webcare.models.calendar import BusinessCalendar, ClosingDay
from webcare.models.canned_response import CannedResponse
from webcare.models.category import Category
from webcare.models.channel import Channel
from webcare.models.contact import Contact
from webcare.models.department import Department
from webcare.models.imported_line import ImportedLine
from webcare.models.message import Message
from webcare.models.metric_fact import MetricFact
from webcare.models.notification import Notification
from webcare.models.routing_rule import RoutingRule
from webcare.models.sla_policy import SlaPolicy
from webcare.models.ticket import Note, Ticket, TicketLabel
from webcare.models.ticket_event import TicketEvent
from webcare.models.user import ApiToken, LoginAttempt, User, department_memberships
from webcare.models.webhook_delivery import WebhookDelivery

__all__ = [
    "ApiToken", "AppState", "AuditEntry", "BusinessCalendar", "CannedResponse", "Category", "Channel",
    "ClosingDay", "Contact", "Department", "LoginAttempt", "Message", "Note", "Notification",
    "RoutingRule", "SlaPolicy", "Ticket", "TicketEvent", "TicketLabel", "User", "WebhookDelivery",
    "department_memberships",
    "MetricFact",
    "ImportedLine",
]
