"""marshmallow 4 schemas: shape only, no database, no current_user. Separate load and dump schemas."""
