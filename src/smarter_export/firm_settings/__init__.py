"""A firm's own export settings, set by its admins: where e-mail may go, what it may carry."""
