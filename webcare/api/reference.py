"""Reference data: departments, categories and channels."""

from __future__ import annotations

from flask import jsonify
from sqlalchemy import select

from webcare.api import bp
from webcare.api.spec import endpoint
from webcare.extensions import db
from webcare.models import Category, Channel, Department
from webcare.schemas.common import page_schema
from webcare.schemas.reference import CategorySchema, ChannelSchema, DepartmentSchema

DepartmentPage = page_schema(DepartmentSchema, "DepartmentPage")
CategoryPage = page_schema(CategorySchema, "CategoryPage")
ChannelPage = page_schema(ChannelSchema, "ChannelPage")


@endpoint(bp, "/departments", "GET", summary="All departments", response=DepartmentPage(), tag="reference")
def departments():
    rows = db().scalars(select(Department).order_by(Department.code)).all()
    return jsonify(items=DepartmentSchema(many=True).dump(rows), next_cursor=None)


@endpoint(bp, "/categories", "GET", summary="All categories", response=CategoryPage(), tag="reference")
def categories():
    rows = db().scalars(select(Category).order_by(Category.code)).all()
    return jsonify(items=CategorySchema(many=True).dump(rows), next_cursor=None)


@endpoint(bp, "/channels", "GET", summary="All channels with their health", response=ChannelPage(), tag="reference")
def channels():
    rows = db().scalars(select(Channel).order_by(Channel.name)).all()
    return jsonify(items=ChannelSchema(many=True).dump(rows), next_cursor=None)

