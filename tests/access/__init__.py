from . import agenda, referrals, referrers

EXTENSIONS = [referrals, referrers, agenda]
