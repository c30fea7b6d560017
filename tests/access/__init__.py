from . import agenda, programmes, referrals, referrers, rights

EXTENSIONS = [referrals, referrers, agenda, programmes, rights]
