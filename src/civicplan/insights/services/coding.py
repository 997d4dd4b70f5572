"""The codebook and the coding of input: themes in both languages, candidate themes discovered in uncoded text,
staff coding (one or many at a time), and the classifier's suggestions with their confidence."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civicplan.core.history import apply_and_save, record_change
from civicplan.insights import themes as text_themes
from civicplan.insights.models import Coding, CodingState, Evidence, Theme
from civicplan.insights.services import require
from civicplan.plans.models import Plan
from civicplan.plans.services import EditConflict

THEME_FIELDS = ("name_en", "name_es", "description_en", "description_es", "keywords", "parent")
MIN_EXAMPLES = 2  # a theme needs this many confirmed comments before the classifier suggests it
SUGGESTION_THRESHOLD = 0.35


# --- Codebook ----------------------------------------------------------------------------------------------------
def _check_parent(theme: Theme, parent: Theme | None) -> None:
    ancestor = parent
    while ancestor is not None:
        if ancestor.pk == theme.pk:
            raise ValidationError(_("A theme cannot be part of itself or of one of its own parts."))
        ancestor = ancestor.parent
    if parent is not None and parent.plan_id != theme.plan_id:
        raise ValidationError(_("The parent theme belongs to another plan."))


def _check_names(theme: Theme, data: dict[str, Any]) -> None:
    """Two themes of one codebook with the same name would split the same input between them."""
    others = Theme.objects.filter(plan_id=theme.plan_id, archived_at__isnull=True).exclude(pk=theme.pk)
    errors = {
        field: _("The codebook already has a theme with this name.")
        for field in ("name_en", "name_es")
        if (data.get(field) or "").strip()
        and others.filter(**{f"{field}__iexact": data[field].strip()}).exists()
    }
    if errors:
        raise ValidationError(errors)


def create_theme(*, plan: Plan, user: Any, data: dict[str, Any]) -> Theme:
    require(user, "insights.manage_insights", plan)
    theme = Theme(plan=plan)
    _check_parent(theme, data.get("parent"))
    _check_names(theme, data)
    return apply_and_save(theme, user=user, data=data, reason=_("Added to the codebook"))


@transaction.atomic
def update_theme(*, theme: Theme, user: Any, data: dict[str, Any], lock_version: int) -> Theme:
    require(user, "insights.manage_insights", theme.plan)
    current = Theme.objects.select_for_update().get(pk=theme.pk)
    if current.lock_version != lock_version:
        raise EditConflict(current)
    _check_parent(current, data.get("parent"))
    _check_names(current, data)
    return apply_and_save(
        current, user=user, data={**data, "lock_version": current.lock_version + 1}, reason=_("Edited")
    )


@transaction.atomic
def merge_themes(*, source: Theme, target: Theme, user: Any) -> Theme:
    """Move every coding and link of `source` to `target`, add its keywords, and archive it."""
    require(user, "insights.manage_insights", source.plan)
    if source.pk == target.pk or source.plan_id != target.plan_id:
        raise ValidationError(_("Choose another theme of the same plan to merge into."))
    already = set(target.codings.values_list("evidence_id", flat=True))
    for coding in source.codings.select_related("theme"):
        if coding.evidence_id in already:
            coding.delete()
            continue
        coding.theme = target
        record_change(coding, user, f"Merged from {source.name_en}")
        coding.save(update_fields=["theme", "updated_at"])
    for link in source.links.all():
        link.theme = target
        record_change(link, user, f"Merged from {source.name_en}")
        link.save(update_fields=["theme", "updated_at"])
    source.children.update(parent=target)
    words = list(dict.fromkeys([*target.keyword_list, *source.keyword_list]))
    apply_and_save(target, user=user, data={"keywords": ", ".join(words)}, reason=f"Merged {source.name_en}")
    apply_and_save(
        source,
        user=user,
        data={
            "archived_at": timezone.now(),
            "archived_by": user,
            "archive_reason": f"Merged into {target.name_en}",
        },
        reason=f"Merged into {target.name_en}",
    )
    return target


# --- Discovery ---------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CandidateTheme:
    words: tuple[str, ...]
    examples: tuple[Evidence, ...]
    size: int
    language: str


def uncoded(plan: Plan) -> Any:
    """Active input with no confirmed theme."""
    return Evidence.objects.filter(plan=plan, archived_at__isnull=True).exclude(
        codings__state=CodingState.CONFIRMED
    )


def discover_candidates(plan: Plan, language: str, *, limit: int = 5000) -> list[CandidateTheme]:
    """Candidate themes in one language's uncoded input (TF-IDF + NMF; see `themes.discover`)."""
    pool = list(uncoded(plan).filter(language=language).order_by("-pk")[:limit])
    found = text_themes.discover([e.text for e in pool], language)
    return [CandidateTheme(c.words, tuple(pool[i] for i in c.examples), c.size, c.language) for c in found]


def accept_candidate(*, plan: Plan, user: Any, name_en: str, name_es: str, words: Sequence[str]) -> Theme:
    """A discovered candidate becomes a theme, its top words the first keywords (staff then edit them)."""
    return create_theme(
        plan=plan,
        user=user,
        data={"name_en": name_en, "name_es": name_es, "keywords": ", ".join(words)},
    )


# --- Coding ------------------------------------------------------------------------------------------------------
def _decide(evidence: Evidence, theme: Theme, user: Any, state: str, reason: str) -> Coding:
    coding = Coding.objects.filter(evidence=evidence, theme=theme).first() or Coding(
        evidence=evidence, theme=theme
    )
    if coding.pk and coding.state == state:
        return coding
    coding.state, coding.decided_by = state, user
    record_change(coding, user, reason)
    coding.save()
    return coding


@transaction.atomic
def code_input(*, evidence: Iterable[Evidence], theme: Theme, user: Any) -> int:
    """Code one or many pieces of input to a theme (confirming any suggestion). Returns how many changed."""
    require(user, "insights.code_input", theme.plan)
    changed = 0
    for item in evidence:
        if item.plan_id != theme.plan_id:
            raise ValidationError(_("That input belongs to another plan."))
        before = Coding.objects.filter(evidence=item, theme=theme, state=CodingState.CONFIRMED).exists()
        _decide(item, theme, user, CodingState.CONFIRMED, "Coded")
        changed += not before
    return changed


@transaction.atomic
def reject_coding(*, coding: Coding, user: Any) -> Coding:
    """A suggestion (or a coding) staff disagree with: kept as rejected so that it is not suggested again."""
    require(user, "insights.code_input", coding.theme.plan)
    return _decide(coding.evidence, coding.theme, user, CodingState.REJECTED, "Rejected")


def _training_set(plan: Plan) -> tuple[list[str], list[set[str]], list[str]]:
    labels: dict[int, set[str]] = {}
    texts: dict[int, tuple[str, str]] = {}
    confirmed = Coding.objects.filter(
        evidence__plan=plan,
        state=CodingState.CONFIRMED,
        evidence__archived_at__isnull=True,
        theme__archived_at__isnull=True,
    ).values_list("evidence_id", "evidence__text", "evidence__language", "theme_id")
    for evidence_id, text, language, theme_id in confirmed:
        labels.setdefault(evidence_id, set()).add(str(theme_id))
        texts[evidence_id] = (text, language)
    ids = list(labels)
    return [texts[i][0] for i in ids], [labels[i] for i in ids], [texts[i][1] for i in ids]


def keywords_of(plan: Plan) -> list[text_themes.ThemeKeywords]:
    return [
        text_themes.ThemeKeywords(str(theme.pk), (*theme.keyword_list, theme.name_en, theme.name_es))
        for theme in Theme.objects.filter(plan=plan, archived_at__isnull=True)
    ]


def train_classifier(plan: Plan) -> text_themes.ThemeClassifier:
    """Trained on the confirmed codings; ValidationError in plain words when there are too few."""
    texts, labels, languages = _training_set(plan)
    try:
        return text_themes.ThemeClassifier.train(
            texts, labels, languages=languages, keywords=keywords_of(plan)
        )
    except ValueError as error:
        raise ValidationError(
            _(
                "Code at least %(count)s comments to each of two themes or more first: the suggestions learn "
                "from your coding."
            )
            % {"count": MIN_EXAMPLES}
        ) from error


def evaluate_classifier(plan: Plan) -> text_themes.Evaluation:
    texts, labels, languages = _training_set(plan)
    return text_themes.evaluate(
        texts, labels, languages=languages, keywords=keywords_of(plan), threshold=SUGGESTION_THRESHOLD
    )


@transaction.atomic
def suggest_themes(*, plan: Plan, user: Any) -> int:
    """Store the classifier's suggestions for uncoded input (replacing earlier open suggestions; never one that
    staff rejected). Returns how many were suggested."""
    require(user, "insights.code_input", plan)
    classifier = train_classifier(plan)
    Coding.objects.filter(evidence__plan=plan, state=CodingState.SUGGESTED).delete()
    pool = list(uncoded(plan).only("pk", "text", "language"))
    rejected = set(
        Coding.objects.filter(evidence__plan=plan, state=CodingState.REJECTED).values_list(
            "evidence_id", "theme_id"
        )
    )
    themes = {str(t.pk): t for t in Theme.objects.filter(plan=plan, archived_at__isnull=True)}
    made = []
    suggestions = classifier.suggest(
        [e.text for e in pool], languages=[e.language for e in pool], threshold=SUGGESTION_THRESHOLD
    )
    for evidence, found in zip(pool, suggestions, strict=True):
        for suggestion in found:
            theme = themes.get(suggestion.code)
            if theme is None or (evidence.pk, theme.pk) in rejected:
                continue
            made.append(
                Coding(
                    evidence=evidence,
                    theme=theme,
                    state=CodingState.SUGGESTED,
                    confidence=round(suggestion.confidence, 3),
                )
            )
    Coding.objects.bulk_create(made, batch_size=2000)  # suggestions are not records: no history until decided
    return len(made)
