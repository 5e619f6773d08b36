"""A stored event waiting for a worker announces itself: PostgreSQL NOTIFYs the workers'
dispatchers from the INSERT (portal/webhooks/outbox.py), so the receiver sends no statement for it."""
from django.db import migrations

CREATE = """
CREATE FUNCTION webhooks_webhookevent_announce() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('portal_webhook_events', '');
    RETURN NULL;
END $$;
CREATE TRIGGER webhooks_webhookevent_announce AFTER INSERT ON webhooks_webhookevent
    FOR EACH ROW WHEN (NEW.status = 'received') EXECUTE FUNCTION webhooks_webhookevent_announce();
"""
DROP = """
DROP TRIGGER IF EXISTS webhooks_webhookevent_announce ON webhooks_webhookevent;
DROP FUNCTION IF EXISTS webhooks_webhookevent_announce();
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":  # the demo's SQLite has no worker to wake
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("webhooks", "0003_webhookevent_queued_at")]
    operations = [migrations.RunPython(create, drop)]
