from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0002_customer_known_iccids'),
    ]

    operations = [
        migrations.AddField(
            model_name='customer',
            name='billing_email',
            field=models.EmailField(blank=True, help_text="The client's email in WHMCS (from its ClientEdit webhooks): where billing mail goes. Never the sign-in email, which only the user changes, in the portal.", max_length=254, verbose_name='billing contact email'),
        ),
        migrations.AddField(
            model_name='customer',
            name='billing_email_updated_at',
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
    ]
