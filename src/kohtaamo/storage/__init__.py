"""Engine, sessions and transactions, portable column types, tenancy, migrations."""
