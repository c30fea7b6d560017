from . import agenda, directory, privacy, programmes, referrals, referrers, rights

EXTENSIONS = [referrals, referrers, agenda, programmes, rights, privacy, directory]
