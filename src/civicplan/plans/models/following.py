"""Residents who follow a goal by e-mail. Only what sending needs is kept: the address, the language to write in
and a hash of the confirmation token (never the token itself). Double opt-in: a row is pending until the link in
the confirmation e-mail is used; unsubscribing deletes the row."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from .structure import PlanItem


class GoalFollower(models.Model):
    goal = models.ForeignKey(PlanItem, on_delete=models.CASCADE, related_name="followers")
    email = models.EmailField(_("e-mail address"), max_length=254)
    language = models.CharField(_("language"), max_length=8, default="en")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    confirmation_sent_at = models.DateTimeField()
    confirmed_at = models.DateTimeField(null=True, blank=True)
    last_notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["goal", "email"], name="one_follow_per_goal_and_address")
        ]
        verbose_name = _("goal follower")

    def __str__(self) -> str:
        return f"follower {self.pk} of {self.goal_id}"

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None
