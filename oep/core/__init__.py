"""What every feature shares: the model base, access rules, errors, mail, time and i18n helpers."""
