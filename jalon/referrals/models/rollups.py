"""Monthly roll-ups of the referral indicators (see jalon/referrals/rollup.py)."""

from django.db import models
from django.utils import timezone

from jalon.structures.models import Structure

from .referrals import ReferralSource
from .referrers import Referrer

# --- Monthly roll-ups of the indicators (see jalon/referrals/rollup.py) --------------------------


class ReferralMonth(models.Model):
    """Referrals of a structure received in one month, per referrer and source. Rebuilt from the
    referrals when the month is marked dirty; never edited by hand."""

    structure = models.ForeignKey(Structure, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()  # first day of the month, local time
    # SET_NULL like Referral.referrer: a deleted referrer's referrals count as without referrer.
    referrer = models.ForeignKey(Referrer, null=True, on_delete=models.SET_NULL, related_name="+")
    source = models.CharField(max_length=10, choices=ReferralSource.choices)
    referred = models.PositiveIntegerField(default=0)
    reached = models.PositiveIntegerField(default=0)
    accompanied = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["structure", "month"], name="referral_month")]


class ReferralDelayMonth(models.Model):
    """How many referrals of a month were first contacted after `hour` whole hours: a histogram
    that locates the median's hour, read exactly afterwards (a median cannot be summed)."""

    structure = models.ForeignKey(Structure, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()
    hour = models.PositiveIntegerField()  # first_contact_minutes // 60
    n = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["structure", "month", "hour"], name="referral_delay_month")]


class ReferralDirtyMonth(models.Model):
    """A (structure, month) whose roll-ups no longer match the referrals: written in the same
    transaction as the change; the indicators read such a month directly until it is rebuilt."""

    structure = models.ForeignKey(Structure, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()
    marked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["structure", "month"], name="referral_dirty_month")]
