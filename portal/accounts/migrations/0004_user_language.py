from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0003_customer_billing_email"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="language",
            field=models.CharField(
                blank=True, default="", max_length=16, verbose_name="language",
                help_text="The language the user chose with the switcher (a code of settings.LANGUAGES); empty: "
                          "their browser's (Accept-Language).",
            ),
        ),
    ]
