"""Errors whose message is for the user: it names the key, file or case and says what to do."""


class ConfigError(ValueError):
    """A config entry that cannot run; the message names the key and says what to do."""


class DataError(ValueError):
    """Input data that cannot be used; the message names the file, the case and the column and says what to do."""
