"""Routing: decides category, department, priority, labels and flags of a new ticket.

The interface that ingest, import, the inbox and the simulator use. Rules are ordered data
(`RoutingRule`), compiled once per rule-set version into one keyword matcher and small condition
functions (`engine`), cached per process (`store`); see docs/ROUTING.md.
"""

from webcare.services.routing.decision import RouteDecision, RouteInput
from webcare.services.routing.reroute import reroute
from webcare.services.routing.tickets import (
    Acknowledgement,
    acknowledge_new_tickets,
    acknowledge_ticket,
    acknowledgement,
    apply_decision,
    decide,
    decision_columns,
    fit_acknowledgement,
    promise_text,
    route_input_for,
    route_new_row,
    route_new_ticket,
    send_auto_ack,
    store_labels,
)

__all__ = ["Acknowledgement", "RouteDecision", "RouteInput", "acknowledge_new_tickets", "acknowledge_ticket",
           "acknowledgement", "apply_decision", "decide", "decision_columns", "fit_acknowledgement", "promise_text",
           "reroute", "route_input_for", "route_new_row", "route_new_ticket", "send_auto_ack", "store_labels"]
