"""Django with its postgresql backend (psycopg 3) against a pgtenant tenant:
migrate a small app with a foreign key and an index, check the schema
through Django's own introspection, then ORM CRUD, a join, aggregates and
a transaction that rolls back."""
import datetime
import decimal
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import django
from django.conf import settings

settings.configure(
    DATABASES={
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": os.environ["PGDATABASE"],
            "USER": os.environ["PGUSER"],
            "PASSWORD": os.environ["PGPASSWORD"],
            "HOST": os.environ["PGHOST"],
            "PORT": os.environ["PGPORT"],
        }
    },
    INSTALLED_APPS=["djapp"],
    USE_TZ=True,
    TIME_ZONE="UTC",
    DEFAULT_AUTO_FIELD="django.db.models.BigAutoField",
)
django.setup()

from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Count, Sum

from djapp.models import Author, Book

call_command("migrate", "djapp", verbosity=0)

# The migration is recorded, and running it again is a no-op.
from django.db.migrations.recorder import MigrationRecorder

applied = {(m.app, m.name) for m in MigrationRecorder.Migration.objects.all()}
assert ("djapp", "0001_initial") in applied, applied
call_command("migrate", "djapp", verbosity=0)

# Django's introspection sees what the migration made.
with connection.cursor() as cur:
    tables = set(connection.introspection.table_names(cur))
    assert {"djapp_author", "djapp_book", "django_migrations"} <= tables, tables
    desc = {c.name: c for c in connection.introspection.get_table_description(cur, "djapp_book")}
    assert set(desc) == {"id", "title", "price", "published", "in_print", "author_id"}, desc
    # Comments (what db_comment / db_table_comment write) come back through
    # col_description and obj_description.
    cur.execute("COMMENT ON TABLE djapp_book IS 'Books in print'")
    cur.execute("COMMENT ON COLUMN djapp_book.title IS 'Shown in listings'")
    listed = {t.name: t for t in connection.introspection.get_table_list(cur)}
    assert listed["djapp_book"].comment == "Books in print", listed["djapp_book"]
    assert listed["djapp_author"].comment is None, listed["djapp_author"]
    desc = {c.name: c for c in connection.introspection.get_table_description(cur, "djapp_book")}
    assert desc["title"].comment == "Shown in listings", desc["title"]
    assert desc["price"].comment is None, desc["price"]
    # (get_constraints() reads unnest(i.indkey, ...) beside pg_index in one
    # FROM, a LATERAL reference pgtenant does not translate yet; the
    # catalog is checked directly instead.)
    cur.execute(
        "SELECT indexname FROM pg_indexes WHERE tablename = 'djapp_book' ORDER BY indexname"
    )
    indexes = [r[0] for r in cur.fetchall()]
    assert "book_title_idx" in indexes, indexes
    assert any(i.startswith("djapp_book_author_id") for i in indexes), indexes
    cur.execute(
        "SELECT conname, contype FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid "
        "WHERE t.relname = 'djapp_book' ORDER BY contype"
    )
    kinds = sorted(r[1] for r in cur.fetchall())
    assert kinds == ["f", "p"], kinds
    # Nothing left to migrate: the models and the database agree.
    from django.db.migrations.autodetector import MigrationAutodetector
    from django.db.migrations.loader import MigrationLoader
    from django.db.migrations.state import ProjectState
    from django.apps import apps

    loader = MigrationLoader(connection)
    changes = MigrationAutodetector(
        loader.project_state(), ProjectState.from_apps(apps)
    ).changes(graph=loader.graph)
    assert not changes, changes

# CRUD.
ada = Author.objects.create(name="Ada", born=datetime.date(1815, 12, 10))
bob = Author.objects.create(name="Bob")
when = datetime.datetime(2024, 5, 1, 12, 30, tzinfo=datetime.timezone.utc)
Book.objects.create(author=ada, title="Notes", price=decimal.Decimal("12.50"), published=when)
Book.objects.create(author=ada, title="Engines", price=decimal.Decimal("7.25"))
Book.objects.create(author=bob, title="Gardens", price=decimal.Decimal("3.00"), in_print=False)

b = Book.objects.select_related("author").get(title="Notes")
assert b.author.name == "Ada" and b.price == decimal.Decimal("12.50"), (b.author.name, b.price)
assert b.published == when, b.published
assert Author.objects.get(name="Ada").born == datetime.date(1815, 12, 10)

counts = {a.name: a.n for a in Author.objects.annotate(n=Count("books")).order_by("name")}
assert counts == {"Ada": 2, "Bob": 1}, counts
total = Book.objects.filter(in_print=True).aggregate(s=Sum("price"))["s"]
assert total == decimal.Decimal("19.75"), total
assert list(Book.objects.filter(author__name="Ada").order_by("title").values_list("title", flat=True)) == ["Engines", "Notes"]

Book.objects.filter(title="Engines").update(price=decimal.Decimal("8.00"))
assert Book.objects.get(title="Engines").price == decimal.Decimal("8.00")

# A transaction that fails rolls back; the unique constraint is enforced.
from django.db import IntegrityError

try:
    with transaction.atomic():
        Author.objects.create(name="Cy")
        Author.objects.create(name="Ada")
    raise AssertionError("duplicate name accepted")
except IntegrityError:
    pass
assert not Author.objects.filter(name="Cy").exists()

# The foreign key (DEFERRABLE INITIALLY DEFERRED, added by ALTER TABLE) is
# enforced at commit.
try:
    with transaction.atomic():
        Book.objects.create(author_id=999, title="Orphan", price=decimal.Decimal("1.00"))
    raise AssertionError("dangling author_id accepted")
except IntegrityError:
    pass
assert not Book.objects.filter(title="Orphan").exists()

# Cascade delete through the foreign key.
bob.delete()
assert Book.objects.count() == 2
assert Book.objects.filter(title="Gardens").count() == 0

# Full-text search and trigram similarity (django.contrib.postgres).
from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVector,
    TrigramSimilarity,
)

Book.objects.create(author=ada, title="Steam engines and their engineers", price=decimal.Decimal("5.00"))
vector = SearchVector("title", weight="A") + SearchVector("author__name", weight="B")
found = list(
    Book.objects.annotate(search=SearchVector("title", config="english"))
    .filter(search=SearchQuery("engine", config="english"))
    .order_by("title")
    .values_list("title", flat=True)
)
assert found == ["Engines", "Steam engines and their engineers"], found
query = SearchQuery("steam") | SearchQuery("notes")
ranked = list(
    Book.objects.annotate(rank=SearchRank(vector, query))
    .filter(rank__gt=0)
    .order_by("-rank", "title")
    .values_list("title", flat=True)
)
assert ranked == ["Notes", "Steam engines and their engineers"], ranked
web = list(
    Book.objects.annotate(search=SearchVector("title"))
    .filter(search=SearchQuery('"steam engines" -cars', search_type="websearch"))
    .values_list("title", flat=True)
)
assert web == ["Steam engines and their engineers"], web
head = (
    Book.objects.annotate(h=SearchHeadline("title", SearchQuery("engineers"), start_sel="[", stop_sel="]"))
    .get(title__startswith="Steam")
    .h
)
# ("engines" and "engineers" are one English stem.)
assert head == "Steam [engines] and their [engineers]", head
with connection.cursor() as cur:
    cur.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
similar = list(
    Book.objects.annotate(s=TrigramSimilarity("title", "Engins"))
    .filter(s__gt=0.3)
    .values_list("title", flat=True)
)
assert similar == ["Engines"], similar

print("django ok")
