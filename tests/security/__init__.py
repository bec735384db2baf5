"""Object-level authorization (GB/T 22239 level 3, OWASP ASVS V4): a suite generated from
the URL configuration, so that a new endpoint without an access check fails it."""
