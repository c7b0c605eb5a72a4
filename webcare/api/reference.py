"""Reference data: departments, categories and channels."""

from __future__ import annotations

from flask import jsonify
from sqlalchemy import select

from webcare.api import bp
from webcare.api.paging import QUERY, page_of
from webcare.api.spec import endpoint
from webcare.extensions import db, runtime
from webcare.models import Category, Channel, Department
from webcare.schemas.common import page_schema
from webcare.schemas.reference import CategorySchema, ChannelSchema, DepartmentSchema
from webcare.services import channels as channel_service
from webcare.services import webhooks

DepartmentPage = page_schema(DepartmentSchema, "DepartmentPage")
CategoryPage = page_schema(CategorySchema, "CategoryPage")
ChannelPage = page_schema(ChannelSchema, "ChannelPage")


@endpoint(bp, "/departments", "GET", summary="All departments", response=DepartmentPage(), query=QUERY, errors=(400,),
          tag="reference")
def departments():
    page = page_of(db(), select(Department), (Department.code,))
    return jsonify(items=DepartmentSchema(many=True).dump(page.items), next_cursor=page.next_cursor)


@endpoint(bp, "/categories", "GET", summary="All categories", response=CategoryPage(), query=QUERY, errors=(400,),
          tag="reference")
def categories():
    page = page_of(db(), select(Category), (Category.code,))
    return jsonify(items=CategorySchema(many=True).dump(page.items), next_cursor=page.next_cursor)


@endpoint(bp, "/channels", "GET", summary="All channels with their health", response=ChannelPage(), query=QUERY,
          errors=(400,), tag="reference")
def channels():
    session = db()
    page = page_of(session, select(Channel), (Channel.name,))
    items = ChannelSchema(many=True).dump(page.items)
    pushed = webhooks.health(session, runtime().redis_or_none(), page.items)
    for item, health in zip(items, channel_service.health_of(session, page.items), strict=True):
        webhook = pushed.get(health.channel.id)
        item.update(messages_24h=health.messages_24h, state=health.state,
                    webhooks=webhook.as_dict() if webhook else None)
    return jsonify(items=items, next_cursor=page.next_cursor)

