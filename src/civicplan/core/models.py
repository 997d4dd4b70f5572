"""Abstract models and the shared kernel tables every module leans on."""

from __future__ import annotations

from django.conf import settings
from django.db import connections, models, router
from django.db.models import F
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("last updated"), auto_now=True)

    class Meta:
        abstract = True


class ArchivableModel(models.Model):
    """Public records are never deleted: they are archived with who, when and why, and can be restored."""

    archived_at = models.DateTimeField(_("archived"), null=True, blank=True)
    archived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    archive_reason = models.TextField(_("reason for archiving"), blank=True)

    class Meta:
        abstract = True

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


class BilingualMixin:
    """`obj.localized("title")` reads `title_es` in Spanish, falling back to English when it is empty."""

    def localized(self, field: str, language: str | None = None) -> str:
        language = (language or get_language() or "en")[:2]
        value = getattr(self, f"{field}_{language}", "") if language in {"en", "es"} else ""
        return value or getattr(self, f"{field}_en", "")


class ContentGeneration(models.Model):
    """One counter per site, bumped whenever something the public can see changes; public page caches are
    keyed on it, so every server process drops stale pages at once without a shared cache."""

    key = models.CharField(max_length=40, unique=True)
    value = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.key}: {self.value}"

    @classmethod
    def bump(cls, key: str = "public") -> None:
        updated = cls.objects.filter(key=key).update(value=F("value") + 1)
        if not updated:
            cls.objects.get_or_create(key=key, defaults={"value": 1})

    @classmethod
    def current(cls, key: str = "public") -> int:
        """One raw statement: on a cached page this read is the main work, and building the ORM query took more
        CPU than the database spends answering it (bench/run.py). It uses the request's own connection, so a bump
        made earlier in the same transaction is seen."""
        connection = connections[router.db_for_read(cls)]
        quote = connection.ops.quote_name
        table = quote(cls._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {quote('value')} FROM {table} WHERE {quote('key')} = %s", [key])  # noqa: S608
            row = cursor.fetchone()
        return int(row[0]) if row else 0
