"""Reads for goal followers: finding a subscription from the secret in a link."""

from __future__ import annotations

import hashlib

from django.utils.crypto import constant_time_compare, salted_hmac

from civicplan.plans.models import GoalFollower

__all__ = ["follower_by_confirm_token", "follower_by_unsubscribe_token", "hash_token", "unsubscribe_token"]

UNSUBSCRIBE_SALT = "civicplan.plans.follow.unsubscribe"


def hash_token(token: str) -> str:
    """What is stored of a confirmation token: its SHA-256 (the token itself only travels in the e-mail)."""
    return hashlib.sha256(token.encode()).hexdigest()


def unsubscribe_token(follower: GoalFollower) -> str:
    """A stable secret for the unsubscribe link of every e-mail, derived from SECRET_KEY, so nothing is stored."""
    digest = salted_hmac(
        UNSUBSCRIBE_SALT, f"{follower.pk}:{follower.goal_id}:{follower.email}", algorithm="sha256"
    )
    return f"{follower.pk}-{digest.hexdigest()[:40]}"


def follower_by_confirm_token(token: str) -> GoalFollower | None:
    if not token or len(token) > 100:
        return None
    return GoalFollower.objects.select_related("goal").filter(token_hash=hash_token(token)).first()


def follower_by_unsubscribe_token(token: str) -> GoalFollower | None:
    pk, _sep, _digest = (token or "").partition("-")
    if not pk.isdigit() or len(token) > 100:
        return None
    follower = GoalFollower.objects.select_related("goal").filter(pk=int(pk)).first()
    if follower is None or not constant_time_compare(unsubscribe_token(follower), token):
        return None
    return follower
