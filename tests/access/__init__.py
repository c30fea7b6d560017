from . import agenda, programmes, referrals, referrers

EXTENSIONS = [referrals, referrers, agenda, programmes]
