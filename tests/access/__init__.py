from . import agenda, privacy, programmes, referrals, referrers

EXTENSIONS = [referrals, referrers, agenda, programmes, privacy]
