from . import agenda, privacy, programmes, referrals, referrers, rights

EXTENSIONS = [referrals, referrers, agenda, programmes, rights, privacy]
