"""translated texts: the programme's own texts in each of its languages

The texts a coordinator writes become JSON ``{"<language>": "<text>"}`` (the programme's main
language first): each existing text is kept as the text in its programme's main language (the
first of its languages; the default language for the shared competence catalogue). Names that
are sorted by or unique get a plain ``*_key`` column beside them (the main language's text,
casefolded) carrying the unique constraint the name had.

Revision ID: 0008_translated_texts
Revises: 0007_stored_files
Create Date: 2026-12-02

"""
import json

import sqlalchemy as sa
from alembic import op
from flask import current_app, has_app_context

# revision identifiers, used by Alembic.
revision = '0008_translated_texts'
down_revision = '0007_stored_files'
branch_labels = None
depends_on = None

#: (table, translated columns with their former type, key column: (its source, length) or None,
#: SQL giving each row's id and main language)
TABLES = [
    (
        "programmes",
        {"name": sa.String(200), "description": sa.Text(), "certificate_signatory_title": sa.String(200),
         "funder_acknowledgement": sa.Text()},
        ("name_key", "name", 200),
        "SELECT id, languages FROM programmes",
    ),
    (
        "sites",
        {"city": sa.String(120)},
        ("city_key", "city", 120),
        "SELECT s.id, p.languages FROM sites s JOIN programmes p ON p.id = s.programme_id",
    ),
    (
        "modules",
        {"title": sa.String(200), "summary": sa.Text(), "learning_outcomes": sa.Text()},
        None,
        "SELECT m.id, p.languages FROM modules m JOIN programmes p ON p.id = m.programme_id",
    ),
    (
        "competences",
        {"name": sa.String(120), "description": sa.Text()},
        ("name_key", "name", 120),
        None,
    ),
    (
        "sessions",
        {"title": sa.String(200), "description": sa.Text()},
        None,
        "SELECT x.id, p.languages FROM sessions x JOIN sites s ON s.id = x.site_id"
        " JOIN programmes p ON p.id = s.programme_id",
    ),
]
#: The unique constraints that move from a name to its key.
UNIQUE = {
    "programmes": (["name"], ["name_key"]),
    "sites": (["programme_id", "city"], ["programme_id", "city_key"]),
    "competences": (["name"], ["name_key"]),
}


def _default_language() -> str:
    return current_app.config.get("BABEL_DEFAULT_LOCALE", "en") if has_app_context() else "en"


def _main_language(languages) -> str:
    if isinstance(languages, str):
        languages = json.loads(languages or "[]")
    return (languages or [None])[0] or _default_language()


def _key(text: str) -> str:
    return " ".join((text or "").split()).casefold()


def _constraint_name(table: str, columns: list[str]) -> str:
    return op.f(f"uq_{table}_{'_'.join(columns)}")


def upgrade():
    connection = op.get_bind()
    for table, columns, key, main_sql in TABLES:
        with op.batch_alter_table(table) as batch_op:
            for column in columns:
                batch_op.add_column(sa.Column(f"{column}_i18n", sa.JSON(), nullable=True))
            if key:
                batch_op.add_column(sa.Column(key[0], sa.String(length=key[2]), nullable=True))
        mains = dict(connection.execute(sa.text(main_sql)).all()) if main_sql else {}
        rows = connection.execute(sa.text(f"SELECT id, {', '.join(columns)} FROM {table}")).mappings().all()
        assignments = ", ".join(f"{c}_i18n = :{c}" for c in columns) + (f", {key[0]} = :_key" if key else "")
        update = sa.text(f"UPDATE {table} SET {assignments} WHERE id = :_id").bindparams(
            *(sa.bindparam(c, type_=sa.JSON()) for c in columns)
        )
        for row in rows:
            language = _main_language(mains.get(row["id"])) if main_sql else _default_language()
            values = {c: ({language: row[c]} if row[c] else {}) for c in columns}
            if key:
                values["_key"] = _key(row[key[1]])
            connection.execute(update, {**values, "_id": row["id"]})
        with op.batch_alter_table(table) as batch_op:
            if table in UNIQUE:
                before, after = UNIQUE[table]
                batch_op.drop_constraint(_constraint_name(table, before), type_="unique")
            for column in columns:
                batch_op.drop_column(column)
            for column in columns:
                batch_op.alter_column(f"{column}_i18n", new_column_name=column, existing_type=sa.JSON(), nullable=False)
            if key:
                batch_op.alter_column(key[0], existing_type=sa.String(length=key[2]), nullable=False)
            if table in UNIQUE:
                batch_op.create_unique_constraint(_constraint_name(table, after), after)


def downgrade():
    connection = op.get_bind()
    for table, columns, key, _main_sql in reversed(TABLES):
        with op.batch_alter_table(table) as batch_op:
            for column, type_ in columns.items():
                batch_op.add_column(sa.Column(f"{column}_plain", type_, nullable=True))
        rows = connection.execute(sa.text(f"SELECT id, {', '.join(columns)} FROM {table}")).mappings().all()
        update = sa.text(
            f"UPDATE {table} SET {', '.join(f'{c}_plain = :{c}' for c in columns)} WHERE id = :_id"
        )
        for row in rows:
            values = {}
            for column in columns:
                texts = row[column]
                if isinstance(texts, str):
                    texts = json.loads(texts)
                values[column] = next((t for t in (texts or {}).values() if t), "") if isinstance(texts, dict) else (
                    texts or ""
                )
            connection.execute(update, {**values, "_id": row["id"]})
        with op.batch_alter_table(table) as batch_op:
            if table in UNIQUE:
                before, after = UNIQUE[table]
                batch_op.drop_constraint(_constraint_name(table, after), type_="unique")
            if key:
                batch_op.drop_column(key[0])
            for column in columns:
                batch_op.drop_column(column)
            for column, type_ in columns.items():
                batch_op.alter_column(f"{column}_plain", new_column_name=column, existing_type=type_, nullable=False)
            if table in UNIQUE:
                batch_op.create_unique_constraint(_constraint_name(table, before), before)
