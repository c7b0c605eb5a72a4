"""Refusals from the services, said in the user's language on the pages (the API keeps the English message)."""

from __future__ import annotations

from flask import request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from webcare.errors import DomainError, NotFound

BY_CODE = {
    "transition_not_allowed": _l("This status change is not allowed for this ticket."),
    "stale_view": _l("New messages arrived while you were writing. Read them first; your reply was not sent."),
    "personal_data": _l("This public reply contains personal data. Reply privately, edit the text, or send it "
                        "anyway with a reason."),
    "forbidden": _l("You cannot do this on this ticket."),
    "different_citizen": _l("Only tickets of the same citizen can be merged."),
    "already_merged": _l("One of these tickets was already merged."),
    "already_owner": _l("You already own this ticket."),
    "ticket_closed": _l("This ticket is closed. Reopen a resolved ticket first; a cancelled ticket stays closed."),
    "no_front_office": _l("There is no front office to send this ticket back to."),
    "not_found": _l("That ticket does not exist or is not visible to you."),
    "department_not_yours": _l("You can only see the tickets of your own departments; %(department)s is not one "
                               "of them."),
    "email_taken": _l("There is already a user with this e-mail address."),
    "password_too_simple": _l("This password is too easy to guess. Do not use one or two characters repeated, the "
                              "e-mail address, a row of keys or digits, or a common word with a few digits."),
    "department_required": _l("Department staff need at least one department. Choose one or more departments."),
    "unknown_department": _l("One of the chosen departments does not exist (any more)."),
    "own_admin_role": _l("You cannot deactivate yourself or take away your own administrator role."),
    "category_code": _l("A code is lower-case letters, digits, dots and dashes, e.g. afval.grofvuil."),
    "category_taken": _l("There is already a category with this code."),
    "category_parent": _l("A subcategory goes under a main category, and a category with subcategories stays a "
                          "main category."),
    "promise_field": _l("The promise may only use {afdeling}, {categorie} and {termijn}."),
    "promise_braces": _l("The promise has a brace without its partner; write fields as {termijn}."),
    "threat_category": _l("The threat category stays with its department and stays active: threats must reach "
                          "the safety team's department."),
    "category_in_rules": _l("Enabled routing rules choose this category; change or switch off those rules first."),
    "department_in_rules": _l("Enabled routing rules send tickets to this department (%(rules)s); change or "
                              "switch off those rules first."),
    "canned_field": _l("A canned response may only use {naam}, {afdeling} and {termijn}."),
    "canned_braces": _l("The text has a brace without its partner; write fields as {naam}."),
    "channel_url": _l("The server address must start with http:// or https://, e.g. https://social.example.nl."),
    "channel_url_credentials": _l("The server address must not contain a user name or password; Webcare signs "
                                  "in with the access token."),
    "channel_url_required": _l("A Mastodon channel needs the server address, e.g. https://social.example.nl."),
    "duplicate_name": _l("There is already a channel with this name."),
    "channel_handle": _l("An account handle is a name such as @gemeente, or @gemeente@social.example.nl on "
                         "Mastodon: letters, digits, _ . and -."),
    "channel_token_required": _l("Enter the access token."),
    "channel_token_characters": _l("The token contains a character that tokens never have, such as an invisible "
                                   "character copied along with it. Copy the token again."),
    "channel_token_json": _l("The token looks like the platform's JSON answer, but it cannot be read or has no "
                             "access_token."),
    "channel_x_client": _l("To renew the token, Webcare also needs the app's OAuth 2.0 client ID."),
    "channel_oauth_client": _l("To renew the token, Webcare also needs the app's client ID and client secret."),
    "channel_handle_required": _l("A Bluesky channel needs the account handle, e.g. voorbeeldstad.nl."),
    "channel_account_required": _l("Enter the account the token acts for: the LinkedIn organisation (e.g. "
                                   "urn:li:organization:2414183) or the TikTok business account ID."),
    "channel_meta_required": _l("A Facebook or Instagram channel needs the Page ID and the Meta app secret; "
                                "Instagram also the Instagram account ID."),
    "department_code": _l("A department code is letters and digits only, at most 16, e.g. OW."),
    "department_taken": _l("There is already a department with this code."),
    "calendar_time": _l("'%(value)s' is not a time of day: write HH:MM, from 00:00 to 24:00."),
    "calendar_order": _l("%(day)s: %(value)s does not end after it starts."),
    "calendar_interval": _l("%(day)s: write an interval as 08:30-17:00 (not '%(value)s')."),
    "calendar_overlap": _l("%(day)s: the opening intervals overlap."),
    "calendar_zone": _l("Unknown time zone '%(value)s'; write it as e.g. Europe/Amsterdam."),
    "calendar_taken": _l("There is already a calendar with this name."),
    "closing_day_taken": _l("%(date)s is already a closing day of %(calendar)s."),
    "policy_taken": _l("There is already an SLA policy with this name."),
}
BY_FIELD = {
    "text": _l("Please write a text (within the length limit)."),
    "question": _l("Please write the question for the department."),
    "reason": _l("Please give a reason."),
    "status": _l("This status cannot be chosen here; use a hand-off to give a ticket to a department."),
    "visibility": _l("This platform does not allow this kind of reply."),
    "department": _l("This department cannot receive a hand-off."),
    "user": _l("This person cannot be assigned to this ticket."),
    "labels": _l("Labels are at most 64 characters, at most 20 of them."),
    "priority": _l("Unknown priority."),
    "into": _l("A ticket cannot be merged with itself."),
    "cursor": _l("This page of the list no longer exists; start again from the first page."),
}


RULE_PARTS = {"conditions": _l("The conditions cannot be used (technical detail follows):"),
              "actions": _l("The actions cannot be used (technical detail follows):")}
RULE_NAME = {"required": _l("Give the rule a name."), "too long": _l("The name is too long (at most 120 characters)."),
             "taken": _l("Another rule already has this name.")}


def explain_rule(exc: DomainError) -> str:
    """A refused routing rule: what is wrong in the user's language, followed by the checker's own words."""
    if exc.fields.get("name") in RULE_NAME:
        return str(RULE_NAME[exc.fields["name"]])
    for name in exc.fields:
        if name in RULE_PARTS:
            return f"{RULE_PARTS[name]} {exc.message}"
    return explain(exc)


def page_message(exc: DomainError) -> str:
    """The sentence on an error page: "not found", and a refusal with a code of its own that has a sentence here
    (BY_CODE), in the user's language; other refusals as the service says."""
    if exc.code != type(exc).code and exc.code in BY_CODE:
        return explain(exc)
    if not isinstance(exc, NotFound):
        return exc.message
    if "ticket_id" in (request.view_args or {}):
        return str(BY_CODE["not_found"])
    return _("What you are looking for does not exist (any more), or you cannot see it.")


def explain(exc: DomainError) -> str:
    """A translated sentence for a refusal, with the service's own words as a fallback."""
    if exc.code in BY_CODE:
        return str(BY_CODE[exc.code]) % exc.params if exc.params else str(BY_CODE[exc.code])
    for name in exc.fields:
        if name in BY_FIELD:
            return str(BY_FIELD[name])
    return _("This cannot be done: %(reason)s", reason=exc.message)
